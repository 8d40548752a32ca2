# TSFmicro-tiny on the demo set in the fusion mode
# 's2t' (spatial to temporal): the spatial map, upsampled by
# transposed convolutions to the stem's grid, is added to the
# temporal stem's map
# (docs/model.md, the paper's ablation). Everything else is
# configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py (the 'late' mode). LOSO:
#   python tools/loso.py configs/tsfmicro/tsfmicro-s2t_retnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/tsfmicro_tiny_demo_s2t
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

model = dict(backbone=dict(fusion='s2t'))
