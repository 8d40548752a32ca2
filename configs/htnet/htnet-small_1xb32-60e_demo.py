# HTNet sized for the demo set on a 2-core CPU: the authors' structure
# (patch 7 on the 28x28 region tiles, three levels) at 32, 64 and 128
# channels with 1, 1 and 2 blocks (0.5 M parameters against the authors'
# 139.6 M), 60 epochs of AdamW with a cosine decay (the baselines' demo
# schedule; docs/results.md). LOSO:
#   python tools/loso.py configs/htnet/htnet-small_1xb32-60e_demo.py \
#       --work-dir work_dirs/htnet_demo
_base_ = [
    '../baselines/_base_/models/htnet.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(dim=32, heads=2, block_repeats=(1, 1, 2)),
    cls_head=dict(in_channels=128))
train_pipeline = [_base_.load_flow, _base_.region_tiles, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=60)
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
