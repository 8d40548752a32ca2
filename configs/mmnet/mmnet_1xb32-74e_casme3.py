# MMNet on CAS(ME)^3 part A, 7 classes: the CASME II recipe (the authors
# report no CAS(ME)^3 result).
_base_ = [
    '../baselines/_base_/models/mmnet.py', '../_base_/datasets/casme3.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=7))
train_pair = dict(_base_.train_pair, mode='jitter')
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=74)
