# A tiny TSFmicro on 32x32 generated clips, for tests of the tools.
# ann_file / data_prefix are set by the tests with --cfg-options.
_base_ = [
    '../../../configs/_base_/models/tsfmicro.py',
    '../../../configs/_base_/datasets/me_loso.py',
    '../../../configs/_base_/default_runtime.py'
]
size = 32
frame_args = dict(ann_file='', data_prefix=dict(img=''), layout='casme2')
model = dict(
    backbone=dict(arch='tiny', input_size=size),
    neck=dict(in_channels=64),
    cls_head=dict(in_channels=64, hidden_channels=32))
train_pair = dict(type='SelectFramePair', mode='max_diff', ratio=0.1)
resize = dict(type='Resize', scale=(size, size), keep_ratio=False)
random_crop = dict(type='PaddedRandomCrop', size=size, padding=2)
train_pipeline = [
    train_pair, _base_.load_pair, resize, _base_.flip, _base_.rotate,
    random_crop, *_base_.pack
]
test_pipeline = [_base_.test_pair, _base_.load_pair, resize, *_base_.pack]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        exclude_subjects=['sub01'], pipeline=train_pipeline, **frame_args))
test_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(test_subjects=['sub01'], pipeline=test_pipeline,
                 **frame_args))
test_evaluator = dict(type='AccMetric')
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2, val_interval=1)
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))
param_scheduler = []
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=3))
