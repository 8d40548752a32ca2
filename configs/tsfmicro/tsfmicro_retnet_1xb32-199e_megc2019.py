# TSFmicro on the MEGC 2019 composite (CASME II + SAMM [+ SMIC]), 3 classes:
# the official 3-class recipe uses weight decay 0.7 and 199 epochs.
_base_ = [
    '../_base_/models/tsfmicro.py', '../_base_/datasets/megc2019.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]
model = dict(cls_head=dict(num_classes=3))
optim_wrapper = dict(optimizer=dict(weight_decay=0.7))
train_cfg = dict(max_epochs=199)
