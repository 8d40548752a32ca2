# MMAction2's 2-D ResNet-18 (Recognizer2D, TSNHead) on the difference image
# apex - onset, the input of TSFmicro's temporal branch: the pair is chosen
# as TSFmicro's recipe chooses it (the largest-difference pair near the
# annotated one for training, the annotated pair for testing), both frames
# get the same augmentation, then FrameDifference takes apex - onset; the
# data preprocessor divides by the ImageNet std without subtracting a mean,
# so the network sees (apex - onset) / std, as TSFmicro's temporal branch.

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
        mean=[0., 0., 0.],
        std=[58.395, 57.12, 57.375],
        format_shape='NCHW'))

# the difference of the frame pair (apex - onset); a leaf config builds the
# pipelines from it and the data set's pieces
# (configs/_base_/datasets/me_pipelines.py)
frame_difference = dict(type='FrameDifference')
