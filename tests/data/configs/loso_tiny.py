# A tiny LOSO config for tests and smoke runs: 32x32 frame pairs of the
# generated data set (mmaction_tsfmicro.testing.make_synthetic_dataset,
# written to data/synthetic_loso relative to the working directory) and a
# small X3D from MMAction2. Not a model for real data.
_base_ = ['../../../configs/_base_/default_runtime.py']

data_root = 'data/synthetic_loso'
ann_file = data_root + '/annotations.json'
size = 32
meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')
frame_args = dict(
    type='MicroExpressionDataset',
    ann_file=ann_file,
    data_prefix=dict(img=data_root),
    layout='casme2')

train_pipeline = [
    dict(type='SelectFramePair', mode='annotated'),
    dict(type='LoadFramePair'),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomRotate', max_angle=3),
    dict(type='PaddedRandomCrop', size=size, padding=2),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
test_pipeline = [
    dict(type='SelectFramePair', mode='annotated'),
    dict(type='LoadFramePair'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        pipeline=train_pipeline, exclude_subjects=['sub01'], **frame_args))
test_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        pipeline=test_pipeline,
        test_subjects=['sub01'],
        test_mode=True,
        **frame_args))
test_evaluator = dict(type='MEMetric')
test_cfg = dict(type='TestLoop')
val_dataloader = None
val_evaluator = None
val_cfg = None

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='X3D',
        gamma_w=0.5,
        gamma_b=1.0,
        gamma_d=0.5,
        num_stages=2,
        spatial_strides=(2, 2),
        se_ratio=None,
        # a few iterations only: running statistics must follow quickly
        norm_cfg=dict(type='BN3d', momentum=0.5)),
    # the class is where the blob appears, so the head keeps the positions
    # (no pooling): 32 channels x 2 frames x 4 x 4
    cls_head=dict(
        type='I3DHead',
        num_classes=5,
        in_channels=32 * 2 * 4 * 4,
        spatial_type=None,
        dropout_ratio=0.2,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[64., 64., 64.],
        format_shape='NCTHW'))

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[2], gamma=0.3)
]
default_hooks = dict(logger=dict(interval=5))
randomness = dict(seed=0)
