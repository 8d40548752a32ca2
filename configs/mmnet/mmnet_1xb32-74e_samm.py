# MMNet on SAMM, 5 classes: the CASME II recipe (the authors publish no SAMM
# script), the training pair drawn in SAMM's window of 0.1 of the
# onset-apex distance (set by the SAMM dataset config).
_base_ = [
    '../baselines/_base_/models/mmnet.py', '../_base_/datasets/samm.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]

train_pair = dict(_base_.train_pair, mode='jitter')
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=74)
