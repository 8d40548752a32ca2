# Video transformer (MMAction2's TimeSformer, 2 layers of width 64) on 8
# frames from the onset to the apex (interpolated), CASME II 5 classes (the
# cropped release at 112x112), trained from scratch: 100 epochs of AdamW
# with a cosine decay (the plugin's choice; docs/results.md). With 249
# clips this is the largest transformer worth training without
# pretraining.
_base_ = [
    './_base_/models/timesformer_tiny_clip.py', './_base_/loso_casme2.py',
    './_base_/adamw_cosine.py'
]

train_pipeline = _base_.train_pipeline
test_pipeline = _base_.test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

epochs = 100
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
