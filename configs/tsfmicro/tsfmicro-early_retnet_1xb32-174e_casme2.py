# TSFmicro on CASME II, 5 classes, the official recipe, in the fusion mode
# 'early': a second conv stem encodes the onset, and its map
# is added to the temporal stem's map before the retention stages
# (no spatial transformer)
# (docs/model.md, the paper's ablation).
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

model = dict(backbone=dict(fusion='early'))
