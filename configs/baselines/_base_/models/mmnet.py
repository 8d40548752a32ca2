# MMNet (Li et al., IJCAI 2022; code muse1998/MMNet) in MMAction2's
# Recognizer3D: the plugin's MMNet backbone (channel-attention residual
# blocks on apex - onset, 180 stem channels, stages of 128, 128, 256 and
# 512 channels; a two-block ViT on the onset resized to 14x14 added as a
# position embedding) and MMNetHead (the 512x14x14 map flattened into one
# linear classifier), the authors' setting: 224x224 onset/apex pairs with
# ImageNet's normalization (docs/mmnet.md).
model = dict(
    type='Recognizer3D',
    backbone=dict(type='MMNet', arch='paper'),
    cls_head=dict(
        type='MMNetHead',
        num_classes=5,
        in_channels=512,
        grid_size=14,
        loss_cls=dict(type='CrossEntropyLoss'),
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
