# 2-D ResNet-18 (TSN form) on the apex frame, demo set: 112x112 faces, 20
# epochs of AdamW with a cosine decay, batch 32 (docs/results.md). LOSO:
#   python tools/loso.py configs/baselines/tsn_r18_1xb32-20e_demo-apex.py \
#       --work-dir work_dirs/tsn_r18_apex_demo
_base_ = [
    './_base_/models/tsn_r18_apex.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

train_pipeline = [
    _base_.apex_frame, _base_.load_pair, _base_.resize, _base_.flip,
    _base_.rotate, _base_.random_crop, *_base_.pack_2d
]
test_pipeline = [
    _base_.apex_frame, _base_.load_pair, _base_.resize, *_base_.pack_2d
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=20)
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
