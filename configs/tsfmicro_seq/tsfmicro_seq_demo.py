# TSFmicroSeq on the demo set (tools/data/make_demo_dataset.py), sized for a
# 2-core CPU: 8 frames from the onset to the offset of every clip, faces
# aligned at 112x112, the recipe of configs/tsfmicro_demo.py (30 epochs of
# AdamW, cosine schedule). Every LOSO fold:
#   python tools/loso.py configs/tsfmicro_seq/tsfmicro_seq_demo.py \
#       --work-dir work_dirs/demo_seq_loso --jobs 2
_base_ = [
    './_base_/tsfmicro_seq_model.py', './_base_/clip_pipelines.py',
    '../_base_/datasets/me_loso.py', '../_base_/schedules/tsfmicro_adamw.py',
    '../_base_/default_runtime.py'
]

input_size = 112
ann_file = 'data/demo/annotations/demo_5cls.json'
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img='data/demo/faces112'),
    layout='casme2')
test_subject = 'sub01'  # tools/loso.py sets every subject in turn

# the clip pipelines at 112x112, with a padding of 8 for the random crop
train_pipeline = _base_.clip_train_pipeline
train_pipeline[1].scale = (input_size, input_size)  # Resize
train_pipeline[4].update(size=input_size, padding=8)  # PaddedRandomCrop
test_pipeline = _base_.clip_test_pipeline
test_pipeline[1].scale = (input_size, input_size)  # Resize

train_dataloader = dict(
    num_workers=0,
    dataset=dict(
        exclude_subjects=[test_subject], pipeline=train_pipeline,
        **frame_args))
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        test_subjects=[test_subject], pipeline=test_pipeline, **frame_args))

train_cfg = dict(max_epochs=30)
optim_wrapper = dict(optimizer=dict(lr=3e-3, weight_decay=0.05))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=30,
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=30)
]
default_hooks = dict(logger=dict(interval=10))
