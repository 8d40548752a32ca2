# TSFmicro (arXiv:2505.16372) at the paper's size: 224x224 onset/apex pairs,
# temporal RMT on apex - onset, spatial ViT on the onset, late (sum) fusion.

model = dict(
    type='Recognizer3D',
    backbone=dict(type='TSFmicro', arch='paper', fusion='late'),
    neck=dict(type='TimeSpaceFusion', in_channels=512, mode='sum'),
    cls_head=dict(
        type='TSFmicroHead',
        num_classes=5,
        in_channels=512,
        hidden_channels=1024,
        loss_cls=dict(type='CrossEntropyLoss'),
        topk=(1, ),
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
