# Video transformer (MMAction2's TimeSformer, 2 layers of width 64) on 8
# frames from the onset to the apex (interpolated), CASME II 5 classes (the
# cropped release at 112x112), trained from scratch: 100 epochs of AdamW
# with a cosine decay (the plugin's choice; docs/results.md). With 249
# clips this is the largest transformer worth training without
# pretraining.
_base_ = [
    './_base_/models/timesformer_tiny_clip.py', '../_base_/datasets/casme2.py',
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

train_cfg = dict(max_epochs=100)
