# MMAction2's video transformer TimeSformer (divided space-time attention;
# Recognizer3D, TimeSformerHead), shrunk for data sets of a few hundred
# clips: 2 layers of width 64 with 2 heads, 16x16 patches (7x7 of them at
# 112x112) on N frames from the onset to the apex, interpolated to exactly
# N (SampleClipFrames mode='interpolate'). Trained from scratch: a
# transformer this size is what a few hundred clips can train at all.

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='TimeSformer',
        num_frames=8,
        img_size=112,
        patch_size=16,
        pretrained=None,
        embed_dims=64,
        num_heads=2,
        num_transformer_layers=2,
        in_channels=3,
        dropout_ratio=0.,
        attention_type='divided_space_time',
        norm_cfg=dict(type='LN', eps=1e-6)),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=5,
        in_channels=64,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# N frames from the onset to the apex, interpolated to exactly N; a leaf
# config builds the pipelines from it and the data set's pieces
# (configs/_base_/datasets/me_pipelines.py) at the network's 112x112
clip_to_apex = dict(
    type='SampleClipFrames', num_frames=8, end='apex', mode='interpolate')
