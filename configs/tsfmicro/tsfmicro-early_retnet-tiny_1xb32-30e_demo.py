# TSFmicro-tiny on the demo set in the fusion mode
# 'early': a second conv stem encodes the onset, and its map
# is added to the temporal stem's map before the retention stages
# (no spatial transformer)
# (docs/model.md, the paper's ablation). Everything else is
# configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py (the 'late' mode). LOSO:
#   python tools/loso.py configs/tsfmicro/tsfmicro-early_retnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/tsfmicro_tiny_demo_early
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

model = dict(backbone=dict(fusion='early'))
