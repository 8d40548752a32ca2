# TSFmicroSeq on the demo set (tools/data/make_demo_dataset.py), sized for a
# 2-core CPU: 8 frames from the onset to the offset of every clip, faces
# aligned at 112x112, the recipe of configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py (30 epochs of
# AdamW, cosine schedule). Every LOSO fold:
#   python tools/loso.py configs/tsfmicro_seq/tsfmicro-seq_retnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/demo_seq_loso --jobs 2
_base_ = [
    './_base_/tsfmicro_seq_model.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

# the demo set's clip pipelines (112x112)
train_pipeline = _base_.clip_train_pipeline
test_pipeline = _base_.clip_test_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# 30 epochs of the cosine schedule (the base's), at a higher rate
optim_wrapper = dict(optimizer=dict(lr=3e-3))
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
