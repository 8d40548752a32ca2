# OFF-ApexNet (Gan et al., Signal Processing: Image Communication 2019) in
# MMAction2's Recognizer2D: the plugin's OFFApexNet backbone (one stream on
# the horizontal, one on the vertical onset-to-apex flow, 28x28 each, two
# fully connected layers of 1024) and TSNHead as the softmax classifier.
# The flow is TV-L1 (tools/data/compute_flow.py), computed once on the
# first load of each sample and saved under flow_root (LoadFlow compute=),
# resized to 28x28 with u, v scaled accordingly (in pixels of the 28x28
# image). A leaf config sets flow_root through the pipelines' LoadFlow.
flow_root = 'data/demo/flow112_tvl1'

model = dict(
    type='Recognizer2D',
    backbone=dict(type='OFFApexNet', in_channels=2, input_size=28),
    cls_head=dict(
        type='TSNHead',
        num_classes=5,
        in_channels=1024,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    # flow in pixels of the 28x28 image is small (demo TV-L1: std 0.05 px
    # for u, 0.08 for v, strain mean 0.03): dividing by 0.1 makes the
    # inputs of order 1 (no mean is subtracted, so the sign of a motion stays)
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0.0, 0.0],
        std=[0.1, 0.1],
        format_shape='NCHW'))

# the flow at 28x28, computed once per sample; a leaf config builds the
# pipelines from it and the data set's pieces
# (configs/_base_/datasets/me_pipelines.py), and sets flow_root
load_flow = dict(
    type='LoadFlow',
    flow_root=flow_root,
    channels=('u', 'v'),
    size=28,
    compute=dict(method='tvl1'))
