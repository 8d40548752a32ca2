# 2-D ResNet-18 (TSN form) on the difference image apex - onset, demo set:
# 112x112 faces, 20 epochs of AdamW with a cosine decay (docs/results.md).
# LOSO:
#   python tools/loso.py configs/baselines/tsn_r18_apex-onset_demo.py \
#       --work-dir work_dirs/tsn_r18_apex-onset_demo
_base_ = [
    './_base_/models/tsn_r18_apex-onset.py', './_base_/loso_demo.py',
    './_base_/adamw_cosine.py'
]

train_pipeline = _base_.train_pipeline
test_pipeline = _base_.test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

epochs = 20
train_cfg = dict(max_epochs=epochs)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=epochs,
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=epochs)
]
