# TSFmicro on CAS(ME)^3 part A, 7 classes, 199 epochs.
_base_ = [
    '../_base_/models/tsfmicro.py', '../_base_/datasets/casme3.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]
model = dict(cls_head=dict(num_classes=7))
train_cfg = dict(max_epochs=199)
