# TSFmicroSeq on CASME II, 5 classes: 8 frames from the onset to the offset
# of every clip at 224x224, the official TSFmicro schedule (AdamW, lr 8e-4,
# weight decay 0.6, ExponentialLR 0.987 for 50 epochs, 174 epochs), the last
# epoch's model tested on the held-out subject.
#   python tools/loso.py configs/tsfmicro_seq/tsfmicro-seq_retnet_1xb32-174e_casme2.py \
#       --work-dir work_dirs/casme2_seq
_base_ = [
    './_base_/tsfmicro_seq_model.py',
    '../_base_/datasets/casme2.py', '../_base_/schedules/tsfmicro_adamw.py',
    '../_base_/default_runtime.py'
]

train_pipeline = _base_.clip_train_pipeline
test_pipeline = _base_.clip_test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
