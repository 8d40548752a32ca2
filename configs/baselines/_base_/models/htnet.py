# HTNet (Wang et al., Neurocomputing 2024; code wangzhifengharrison/HTNet) in
# MMAction2's Recognizer2D: the plugin's HTNet backbone (a hierarchical
# transformer, patch 7, three levels of 256, 512 and 1024 channels with
# 2, 2 and 10 blocks) and HTNetHead (channel layer norm, mean, linear), the
# authors' setting. Its input: the onset-to-apex TV-L1 flow and optical
# strain (u, v, strain) at 28x28, cut into four 14x14 facial regions around
# the apex's landmarks and tiled 2x2 as the authors' code does
# (FacialRegionTiles, docs/htnet.md).
flow_root = 'data/demo/flow112_tvl1'

model = dict(
    type='Recognizer2D',
    backbone=dict(
        type='HTNet',
        image_size=28,
        patch_size=7,
        dim=256,
        heads=3,
        num_hierarchies=3,
        block_repeats=(2, 2, 10)),
    cls_head=dict(
        type='HTNetHead',
        num_classes=5,
        in_channels=1024,
        average_clips='prob'),
    # the flow in pixels of the 28x28 image is small: dividing by 0.1 makes
    # it of order 1 (as STSTNet's config; no mean is subtracted)
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0.0, 0.0, 0.0],
        std=[0.1, 0.1, 0.1],
        format_shape='NCHW'))

# the flow at 28x28, computed once per sample, then the four regions
load_flow = dict(
    type='LoadFlow',
    flow_root=flow_root,
    channels=('u', 'v', 'strain'),
    size=28,
    compute=dict(method='tvl1'))
region_tiles = dict(type='FacialRegionTiles', mode='official',
                    landmarks='detect')
