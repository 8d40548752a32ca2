# One LOSO fold of a micro-expression data set: train on every subject but
# the test subject, test on it with the last epoch's weights. tools/loso.py
# runs every fold; tools/train.py runs the fold a config names. A dataset
# config inherits this file and fills in ann_file, data_prefix, layout,
# exclude_subjects (train) and test_subjects (test).
_base_ = ['./me_pipelines.py']

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    # EpochSeedHook reseeds the workers of every epoch
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MicroExpressionDataset',
        pipeline={{_base_.train_pipeline}}))
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MicroExpressionDataset',
        pipeline={{_base_.test_pipeline}},
        test_mode=True))
test_evaluator = dict(type='MEMetric')

# No validation during training: validating on the test subject would be
# model selection on it (see docs/loso.md).
val_dataloader = None
val_evaluator = None
val_cfg = None
