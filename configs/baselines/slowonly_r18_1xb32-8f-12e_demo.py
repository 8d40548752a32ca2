# 3-D CNN (MMAction2's SlowOnly, ResNet-18 of width 16) on 8 frames from
# the onset to the apex (interpolated), demo set: 112x112 faces, 12 epochs
# of AdamW with a cosine decay (docs/results.md). LOSO:
#   python tools/loso.py configs/baselines/slowonly_r18_1xb32-8f-12e_demo.py \
#       --work-dir work_dirs/slowonly_r18_8f_demo
_base_ = [
    './_base_/models/slowonly_r18_clip.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

train_pipeline = [
    _base_.clip_to_apex, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
test_pipeline = [_base_.clip_to_apex, _base_.resize, *_base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=12)
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
