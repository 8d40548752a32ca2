# TSFmicro on CASME II, 5 classes, the official recipe, in the fusion mode
# 't2s' (temporal to spatial): the temporal map's tokens are
# added to the spatial tokens after the spatial blocks, before the
# final LayerNorm
# (docs/model.md, the paper's ablation).
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

model = dict(backbone=dict(fusion='t2s'))
