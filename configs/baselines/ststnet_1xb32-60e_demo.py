# STSTNet on the onset-to-apex TV-L1 flow and optical strain (u, v,
# strain at 28x28), demo set: the flow is computed once, on the first load
# of each sample, into data/demo/flow112_tvl1 (shared with OFF-ApexNet and
# TSFmicro-flow). 60 epochs of AdamW with a cosine decay
# (docs/results.md). LOSO:
#   python tools/loso.py configs/baselines/ststnet_1xb32-60e_demo.py \
#       --work-dir work_dirs/ststnet_demo
_base_ = [
    './_base_/models/ststnet.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

train_pipeline = [_base_.load_flow, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=60)
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
