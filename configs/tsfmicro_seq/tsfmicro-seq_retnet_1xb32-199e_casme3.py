# TSFmicroSeq on CAS(ME)^3 part A, 7 classes (happy, disgust, fear, anger,
# sad, surprise, others): 8 frames from the onset to the offset of every
# clip, 199 epochs.
_base_ = [
    './_base_/tsfmicro_seq_model.py',
    '../_base_/datasets/casme3.py', '../_base_/schedules/tsfmicro_adamw.py',
    '../_base_/default_runtime.py'
]

train_pipeline = _base_.clip_train_pipeline
test_pipeline = _base_.clip_test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
model = dict(cls_head=dict(num_classes=7))
train_cfg = dict(max_epochs=199)
