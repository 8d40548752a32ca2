# STSTNet (Liong et al., FG 2019 / MEGC 2019) in MMAction2's Recognizer2D:
# the plugin's STSTNet backbone (three shallow streams of 3, 5 and 8 3x3
# filters on u, v and the optical strain, 28x28x3) and TSNHead as its one
# fully connected classifier (no dropout there: the streams have theirs).
# The flow and strain are TV-L1 (tools/data/compute_flow.py), computed once
# on the first load of each sample and saved under flow_root (LoadFlow
# compute=), resized to 28x28 with u, v scaled accordingly.
flow_root = 'data/demo/flow112_tvl1'

model = dict(
    type='Recognizer2D',
    backbone=dict(type='STSTNet', in_channels=3, input_size=28),
    cls_head=dict(
        type='TSNHead',
        num_classes=5,
        in_channels=400,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.,
        init_std=0.01,
        average_clips='prob'),
    # flow in pixels of the 28x28 image is small (demo TV-L1: std 0.05 px
    # for u, 0.08 for v, strain mean 0.03): dividing by 0.1 makes the
    # inputs of order 1 (no mean is subtracted, so the sign of a motion stays)
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0.0, 0.0, 0.0],
        std=[0.1, 0.1, 0.1],
        format_shape='NCHW'))

# the flow at 28x28, computed once per sample; a leaf config builds the
# pipelines from it and the data set's pieces
# (configs/_base_/datasets/me_pipelines.py), and sets flow_root
load_flow = dict(
    type='LoadFlow',
    flow_root=flow_root,
    channels=('u', 'v', 'strain'),
    size=28,
    compute=dict(method='tvl1'))
