# 2-D ResNet-18 (TSN form) on the difference image apex - onset, CASME II 5
# classes (the cropped release at 224x224), trained from scratch: 50 epochs
# of AdamW with a cosine decay, batch 32 (the plugin's choice;
# docs/results.md).
_base_ = [
    './_base_/models/tsn_r18_apex-onset.py', './_base_/loso_casme2.py',
    './_base_/adamw_cosine.py'
]

train_pipeline = _base_.train_pipeline
test_pipeline = _base_.test_pipeline
# 224x224 frames, the TSFmicro recipe's padding of 15 for the random crop
train_pipeline[2].scale = (224, 224)  # Resize
train_pipeline[5].update(size=224, padding=15)  # PaddedRandomCrop
test_pipeline[2].scale = (224, 224)  # Resize
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
