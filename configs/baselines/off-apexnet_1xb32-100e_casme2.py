# OFF-ApexNet on the onset-to-apex TV-L1 flow (u, v at 28x28), CASME II 5
# classes. The paper's training settings could not be read here; this uses
# the baselines' schedule: 100 epochs of AdamW with a cosine decay
# (docs/results.md).
_base_ = [
    './_base_/models/off_apexnet.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

# TV-L1 flow of the cropped release's frames (computed on first load, or
# ahead by tools/data/compute_flow.py --layout casme2_cropped --src
# data/casme2/Cropped --dst data/casme2/flow_tvl1_cropped)
load_flow = dict(_base_.load_flow, flow_root='data/casme2/flow_tvl1_cropped')
train_pipeline = [load_flow, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=100)
