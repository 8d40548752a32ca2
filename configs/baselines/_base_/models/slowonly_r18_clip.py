# MMAction2's 3-D CNN ResNet3dSlowOnly (Recognizer3D, I3DHead), shrunk to a
# ResNet-18 of base width 16, on N frames from the onset to the apex,
# interpolated to exactly N (SampleClipFrames mode='interpolate', the TIM
# practice of micro-expression work; linear between neighbouring frames).
# The 1x7x7 stem (stride 2) and its 1x3x3 max pooling bring 112x112 down
# to 28x28 before the residual stages; the temporal 3x1x1 kernels of
# SlowOnly act in the last two stages. Trained from scratch.

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        base_channels=16,
        lateral=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
        with_pool1=True,
        norm_eval=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=5,
        in_channels=128,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
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
