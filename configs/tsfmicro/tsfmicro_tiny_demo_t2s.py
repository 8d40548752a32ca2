# TSFmicro-tiny on the demo set in the fusion mode
# 't2s' (temporal to spatial): the temporal map's tokens are
# added to the spatial tokens after the spatial blocks, before the
# final LayerNorm
# (docs/model.md, the paper's ablation). Everything else is
# configs/tsfmicro_demo.py (the 'late' mode). LOSO:
#   python tools/loso.py configs/tsfmicro/tsfmicro_tiny_demo_t2s.py \
#       --work-dir work_dirs/tsfmicro_tiny_demo_t2s
_base_ = ['../tsfmicro_demo.py']

model = dict(backbone=dict(fusion='t2s'))
