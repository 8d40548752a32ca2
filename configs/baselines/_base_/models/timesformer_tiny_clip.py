# MMAction2's video transformer TimeSformer (divided space-time attention;
# Recognizer3D, TimeSformerHead), shrunk for data sets of a few hundred
# clips: 2 layers of width 64 with 2 heads, 16x16 patches (7x7 of them at
# 112x112) on N frames from the onset to the apex, interpolated to exactly
# N (SampleClipFrames mode='interpolate'). Trained from scratch: a
# transformer this size is what a few hundred clips can train at all.
input_size = 112
num_frames = 8
meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='TimeSformer',
        num_frames=num_frames,
        img_size=input_size,
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

train_pipeline = [
    dict(
        type='SampleClipFrames',
        num_frames=num_frames,
        end='apex',
        mode='interpolate'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomRotate', max_angle=3),
    dict(type='PaddedRandomCrop', size=input_size, padding=8),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
test_pipeline = [
    dict(
        type='SampleClipFrames',
        num_frames=num_frames,
        end='apex',
        mode='interpolate'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
