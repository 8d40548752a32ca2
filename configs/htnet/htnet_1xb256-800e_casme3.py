# HTNet on CAS(ME)^3 part A, 7 classes (aligned faces), the authors' schedule
# (configs/htnet/htnet_1xb256-800e_megc2019.py, docs/htnet.md).
_base_ = [
    '../baselines/_base_/models/htnet.py', '../_base_/datasets/casme3.py',
    '../baselines/_base_/htnet_schedule.py', '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=7))
load_flow = dict(_base_.load_flow, flow_root='data/casme3/flow_tvl1')
train_pipeline = [load_flow, _base_.region_tiles, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
