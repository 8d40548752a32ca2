# MMNet on the MEGC 2019 composite (CASME II + SAMM [+ SMIC]), 3 classes:
# the authors' 3-class recipe (CASME2_3.py: weight decay 0.7, 99 epochs).
_base_ = [
    '../baselines/_base_/models/mmnet.py', '../_base_/datasets/megc2019.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=3))
train_pair = dict(_base_.train_pair, mode='jitter')
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(weight_decay=0.7))
train_cfg = dict(max_epochs=99)
