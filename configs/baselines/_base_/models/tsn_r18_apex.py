# MMAction2's 2-D ResNet-18 in the TSN form (Recognizer2D, TSNHead) on the
# apex frame alone, trained from scratch (nothing is downloaded), with the
# augmentation of the TSFmicro recipe (flip, rotation 3 degrees, padded
# random crop). A leaf config picks the input size by editing the Resize
# and PaddedRandomCrop entries of both pipelines.

model = dict(
    type='Recognizer2D',
    backbone=dict(
        type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(
        type='TSNHead',
        num_classes=5,
        in_channels=512,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCHW'))

# the apex frame alone; a leaf config builds the pipelines from it and the
# data set's pieces (configs/_base_/datasets/me_pipelines.py)
apex_frame = dict(type='SelectKeyFrames', roles=('apex', ))
