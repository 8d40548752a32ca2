# Micro-expression spotting on the demo long videos
# (tools/data/make_demo_long_videos.py: synthetic action-unit motions on
# real faces, 30 fps, CAS(ME)^2 layout), sized for a 2-core CPU.
#
# The model: TSFmicroSeq (a small CNN per frame on the difference to the
# previous frame, then a causal retention over time) and a per-frame head
# (micro-expression or not, and its class). It trains on windows of 64
# frames of the training subjects' videos and is tested on whole videos of
# held-out subjects, whose per-frame scores become spans (SpanFinder) and
# are matched to the truths by the MEGC protocol (SpottingMetric).
#
#   python tools/data/make_demo_long_videos.py --out data/demo_long/raw
#   python tools/data/align_long_videos.py data/demo_long/raw/spotting.json \
#       data/demo_long/raw data/demo_long/aligned96 --config THIS_CONFIG
#   python tools/train.py THIS_CONFIG --work-dir work_dirs/spotting_demo
#   python tools/test.py THIS_CONFIG work_dirs/spotting_demo/epoch_10.pth
#   python tools/stream.py THIS_CONFIG CKPT VIDEO --out spans.json
_base_ = [
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

# the face alignment of the training frames; tools/stream.py aligns a live
# video the same way (tools/data/align_long_videos.py --config reads it)
face_alignment = dict(size=96, eye_y=0.36, eye_dist=0.32,
                      detector='mediapipe', check_every=60, max_drift=2.0)
input_size = face_alignment['size']
classes = ('happiness', 'disgust', 'repression', 'surprise', 'others')

# spans: frames scoring >= threshold, gaps under merge_gap frames joined,
# kept from min_length to max_length frames (MEGC counts 7-16 frames at
# 30 fps as micro; a causal model sees an expression a few frames late, so
# the shortest kept span is shorter)
span_finder = dict(threshold=0.5, merge_gap=3, min_length=4, max_length=24,
                   smooth=1)

model = dict(
    type='MicroExpressionSpotter',
    backbone=dict(
        type='TSFmicroSeq',
        input_mode='diff_prev',
        stem_channels=(8, 16, 32),
        stem_strides=(2, 2, 2),
        grid_size=4,
        embed_dims=64,
        depth=2,
        num_heads=4,
        pooling='none'),
    head=dict(
        type='SpottingHead',
        num_classes=len(classes),
        in_channels=64,
        hidden_channels=64,
        pos_weight=4.,
        loss_cls_weight=0.5),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

data_root = 'data/demo_long/aligned96'
ann_file = f'{data_root}/spotting.json'
test_subjects = ['s14', 's15', 's16', 's17']  # held out: 8 videos
spot_meta_keys = ('video', 'subject', 'frame_inds', 'gt_spans')
spot_label_keys = ('spot_labels', 'class_labels')

train_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=spot_label_keys,
         meta_keys=spot_meta_keys)
]
test_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=spot_label_keys,
         meta_keys=spot_meta_keys)
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    # EpochSeedHook reseeds the workers each epoch, which needs new ones
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongVideoDataset',
        ann_file=ann_file,
        data_prefix=dict(img=data_root),
        clip_len=64,
        # windows 64 frames apart, each moved by up to 32 frames when drawn
        stride=64,
        exclude_subjects=test_subjects,
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongVideoDataset',
        ann_file=ann_file,
        data_prefix=dict(img=data_root),
        whole_videos=True,
        test_subjects=test_subjects,
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='SpottingMetric', span_finder=span_finder)

# 10 epochs of the demo cosine schedule, at lr 2e-3 with clipped gradients
train_cfg = dict(max_epochs=10)
optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=5.))
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=5, max_keep_ckpts=1, save_last=True))
