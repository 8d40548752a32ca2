# TSFmicro on CASME II, 5 classes, the official recipe, in the fusion mode
# 's2t' (spatial to temporal): the spatial map, upsampled by
# transposed convolutions to the stem's grid, is added to the
# temporal stem's map
# (docs/model.md, the paper's ablation).
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

model = dict(backbone=dict(fusion='s2t'))
