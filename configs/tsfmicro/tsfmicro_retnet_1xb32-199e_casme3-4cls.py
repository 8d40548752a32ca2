# TSFmicro on CAS(ME)^3 part A, 4 classes (positive, negative, surprise,
# others), 199 epochs.
_base_ = [
    '../_base_/models/tsfmicro.py', '../_base_/datasets/casme3_4cls.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]
model = dict(cls_head=dict(num_classes=4))
train_cfg = dict(max_epochs=199)
