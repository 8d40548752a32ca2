# 3-D CNN (MMAction2's SlowOnly, ResNet-18 of width 16) on 8 frames from the
# onset to the apex (interpolated), CASME II 5 classes (the cropped release
# resized to 112x112, the usual input of 3-D CNNs), trained from scratch:
# 50 epochs of AdamW with a cosine decay (the plugin's choice;
# docs/results.md).
_base_ = [
    './_base_/models/slowonly_r18_clip.py', './_base_/loso_casme2.py',
    './_base_/adamw_cosine.py'
]

train_pipeline = _base_.train_pipeline
test_pipeline = _base_.test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

epochs = 50
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
