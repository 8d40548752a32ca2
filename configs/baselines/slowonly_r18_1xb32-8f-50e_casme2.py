# 3-D CNN (MMAction2's SlowOnly, ResNet-18 of width 16) on 8 frames from the
# onset to the apex (interpolated), CASME II 5 classes (the cropped release
# resized to 112x112, the usual input of 3-D CNNs), trained from scratch:
# 50 epochs of AdamW with a cosine decay (the plugin's choice;
# docs/results.md).
_base_ = [
    './_base_/models/slowonly_r18_clip.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

# the network's 112x112 frames (as on the demo set), a padding of 8
resize = dict(type='Resize', scale=(112, 112), keep_ratio=False)
random_crop = dict(type='PaddedRandomCrop', size=112, padding=8)
train_pipeline = [
    _base_.clip_to_apex, resize, _base_.flip, _base_.rotate,
    random_crop, *_base_.pack
]
test_pipeline = [_base_.clip_to_apex, resize, *_base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=50)
