# TSFmicroSeq on SAMM, 5 classes: 8 frames from the onset to the offset of
# every clip (SAMM records at 200 fps: its clips are long, the 8 frames
# spread over them), 199 epochs as the official SAMM recipe.
_base_ = [
    './_base_/tsfmicro_seq_model.py',
    '../_base_/datasets/samm.py', '../_base_/schedules/tsfmicro_adamw.py',
    '../_base_/default_runtime.py'
]

train_pipeline = _base_.clip_train_pipeline
test_pipeline = _base_.clip_test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
train_cfg = dict(max_epochs=199)
