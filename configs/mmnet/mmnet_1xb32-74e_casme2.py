# MMNet on CASME II, 5 classes (the Cropped release), the authors' recipe
# (CASME2_5.py): AdamW (lr 8e-4, weight decay 0.6), batch 32,
# ExponentialLR 0.987 for 50 epochs, 74 epochs; the training pair drawn at
# random in the window of 0.15 / 4 of the onset-apex distance around the
# annotated onset and apex ('jitter'), the flip, 3-degree rotation and
# 15-pixel padded crop of every frame. The last epoch's model is tested
# (docs/mmnet.md: the authors keep each subject's best test epoch).
_base_ = [
    '../baselines/_base_/models/mmnet.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]

train_pair = dict(_base_.train_pair, mode='jitter')
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=74)
