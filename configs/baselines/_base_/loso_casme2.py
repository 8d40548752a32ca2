# One LOSO fold of CASME II, 5 classes (249 samples, 26 subjects), for the
# baselines: the annotation and frames of configs/_base_/datasets/casme2.py
# (the official cropped release); a method config adds its model, its
# pipelines (at its input size) and its schedule.
_base_ = ['../../_base_/default_runtime.py']

data_root = 'data/casme2'
ann_file = 'data/casme2/annotations/casme2_5cls.json'
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img=data_root + '/Cropped'),
    layout='casme2_cropped')
test_subject = 'sub01'  # tools/loso.py sets every subject in turn

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MicroExpressionDataset',
        exclude_subjects=[test_subject],
        **frame_args))
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MicroExpressionDataset',
        test_subjects=[test_subject],
        test_mode=True,
        **frame_args))
test_evaluator = dict(type='MEMetric')
val_dataloader = None
val_evaluator = None
val_cfg = None
