# 3-D CNN (MMAction2's SlowOnly, ResNet-18 of width 16) on 8 frames from
# the onset to the apex (interpolated), demo set: 112x112 faces, 12 epochs
# of AdamW with a cosine decay (docs/results.md). LOSO:
#   python tools/loso.py configs/baselines/slowonly_r18_8f_demo.py \
#       --work-dir work_dirs/slowonly_r18_8f_demo
_base_ = [
    './_base_/models/slowonly_r18_clip.py', './_base_/loso_demo.py',
    './_base_/adamw_cosine.py'
]

train_pipeline = _base_.train_pipeline
test_pipeline = _base_.test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

epochs = 12
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
