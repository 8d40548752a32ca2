# MMNet sized for the demo set on a 2-core CPU: the authors' structure at
# 112x112 (a 7x7 grid) with 32, 32, 64 and 64 channels and a one-block PC
# branch (0.16 M parameters against the authors' 9.4 M), the training pair
# drawn at random around the annotated onset and apex as the authors do, and
# the TSFmicro-tiny demo schedule (the demo schedule base at its 30 epochs
# of AdamW with a cosine decay, at lr 3e-3). LOSO:
#   python tools/loso.py configs/mmnet/mmnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/mmnet_demo
_base_ = [
    '../baselines/_base_/models/mmnet.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(arch='tiny'), cls_head=dict(in_channels=64, grid_size=7))
train_pair = dict(_base_.train_pair, mode='jitter')
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=3e-3))
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
