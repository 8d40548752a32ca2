# TSFmicroSeq: every sampled frame of a clip, onset first, as
# (N, 3, T, H, W); each frame minus the first (input_mode='diff_first') is
# encoded by a small CNN (3x3 convolutions 8-16-32, strides 2, BatchNorm,
# GELU; average pool to 7x7; linear to 64 channels), then a causal
# multi-scale retention over time (2 blocks, 4 heads, decays
# 1 - 2^(-5-h)); the mean over time of the frame features goes to
# MMAction2's I3DHead. See docs/sequence_model.md.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='TSFmicroSeq',
        input_mode='diff_first',
        stem_channels=[8, 16, 32],
        stem_strides=[2, 2, 2],
        grid_size=7,
        embed_dims=64,
        depth=2,
        num_heads=4,
        ffn_ratio=2.,
        pooling='mean'),
    cls_head=dict(
        type='I3DHead',
        num_classes=5,
        in_channels=64,
        spatial_type='avg',
        dropout_ratio=0.,
        init_std=0.01,
        loss_cls=dict(type='CrossEntropyLoss'),
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
