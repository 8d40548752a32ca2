# OFF-ApexNet on the onset-to-apex TV-L1 flow (u, v at 28x28), demo set:
# the flow of each sample is computed once, on its first load, from the
# 112x112 faces into data/demo/flow112_tvl1 (about a minute for the 285
# samples; tools/data/compute_flow.py computes the same files ahead). 60
# epochs of AdamW with a cosine decay (docs/results.md). LOSO:
#   python tools/loso.py configs/baselines/off-apexnet_1xb32-60e_demo.py \
#       --work-dir work_dirs/off_apexnet_demo
_base_ = [
    './_base_/models/off_apexnet.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

train_pipeline = [_base_.load_flow, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=60)
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
