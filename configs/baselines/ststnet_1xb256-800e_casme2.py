# STSTNet on the onset-to-apex TV-L1 flow and optical strain (u, v, strain
# at 28x28), CASME II 5 classes, with the schedule of the authors' PyTorch
# release (github.com/christy1206/STSTNet, main.py): Adam, lr 5e-5,
# constant, batch 256, 800 epochs.
_base_ = [
    './_base_/models/ststnet.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

# TV-L1 flow of the cropped release's frames (computed on first load, or
# ahead by tools/data/compute_flow.py --layout casme2_cropped --src
# data/casme2/Cropped --dst data/casme2/flow_tvl1_cropped)
load_flow = dict(_base_.load_flow, flow_root='data/casme2/flow_tvl1_cropped')
train_pipeline = [load_flow, *_base_.pack_2d]
test_pipeline = train_pipeline
# the authors' batch of 256
train_dataloader = dict(
    batch_size=256, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=800)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='Adam', lr=5e-5, weight_decay=0.))
param_scheduler = []
auto_scale_lr = dict(base_batch_size=256)
