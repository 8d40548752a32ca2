# A tiny LOSO config for tests and smoke runs: 32x32 frame pairs of the
# generated data set (mmaction_tsfmicro.testing.make_synthetic_dataset,
# written to data/synthetic_loso relative to the working directory), the
# tiny TSFmicro (configs/_base_/models/tsfmicro_tiny.py), 3 epochs. A smoke
# test, not a recipe for real data.
_base_ = [
    '../../../configs/_base_/models/tsfmicro_tiny.py',
    '../../../configs/_base_/default_runtime.py'
]

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

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.01))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[2], gamma=0.3)
]
default_hooks = dict(logger=dict(interval=5))
randomness = dict(seed=0)
