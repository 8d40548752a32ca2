# TSFmicro-tiny on the demo set in the fusion mode
# 't2s' (temporal to spatial): the temporal map's tokens are
# added to the spatial tokens after the spatial blocks, before the
# final LayerNorm
# (docs/model.md, the paper's ablation). Everything else is
# configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py (the 'late' mode). LOSO:
#   python tools/loso.py configs/tsfmicro/tsfmicro-t2s_retnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/tsfmicro_tiny_demo_t2s
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

model = dict(backbone=dict(fusion='t2s'))
