# One LOSO fold of the demo set (docs/demo.md: 19 subjects x 15 clips, 5
# balanced classes, faces aligned at 112x112 by `make demo`) for the
# baselines, read exactly as configs/tsfmicro_demo.py reads it: the same
# annotation file, frames, subjects and metric. A method config adds its
# model, its pipelines and its schedule; tools/loso.py sets every subject
# in turn and tests each fold with its last epoch's weights.
_base_ = ['../../_base_/default_runtime.py']

ann_file = 'data/demo/annotations/demo_5cls.json'
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img='data/demo/faces112'),
    layout='casme2')
test_subject = 'sub01'  # tools/loso.py sets every subject in turn

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MicroExpressionDataset',
        exclude_subjects=[test_subject],
        **frame_args))
test_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MicroExpressionDataset',
        test_subjects=[test_subject],
        test_mode=True,
        **frame_args))
test_evaluator = dict(type='MEMetric')
# no validation: in LOSO it would be the test subject (docs/loso.md)
val_dataloader = None
val_evaluator = None
val_cfg = None

default_hooks = dict(logger=dict(interval=10))
