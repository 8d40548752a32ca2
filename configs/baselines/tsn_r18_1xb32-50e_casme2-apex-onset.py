# 2-D ResNet-18 (TSN form) on the difference image apex - onset, CASME II 5
# classes (the cropped release at 224x224), trained from scratch: 50 epochs
# of AdamW with a cosine decay, batch 32 (the plugin's choice;
# docs/results.md).
_base_ = [
    './_base_/models/tsn_r18_apex-onset.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

train_pipeline = [
    _base_.train_pair, _base_.load_pair, _base_.resize, _base_.flip,
    _base_.rotate, _base_.random_crop, _base_.frame_difference,
    *_base_.pack_2d
]
test_pipeline = [
    _base_.test_pair, _base_.load_pair, _base_.resize,
    _base_.frame_difference, *_base_.pack_2d
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(max_epochs=50)
