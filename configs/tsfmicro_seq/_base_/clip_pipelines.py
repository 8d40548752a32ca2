# Clip pipelines: num_frames frames from the onset to the offset
# (SampleClipFrames, evenly spread, both ends kept), the same flip,
# rotation and padded crop for every frame of a clip (as the frame-pair
# recipe does for its two frames). A config that uses them replaces the
# dataset config's frame-pair pipelines with them:
#   train_pipeline = _base_.clip_train_pipeline
#   test_pipeline = _base_.clip_test_pipeline
#   train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
#   test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# (The names differ from the dataset bases' input_size, me_meta_keys and
# train_pipeline, which MMEngine does not let two bases both define.)
clip_size = 224
num_frames = 8
clip_meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')

clip_train_pipeline = [
    dict(
        type='SampleClipFrames',
        num_frames=num_frames,
        end='offset',
        mode='uniform'),
    dict(type='Resize', scale=(clip_size, clip_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomRotate', max_angle=3),
    dict(type='PaddedRandomCrop', size=clip_size, padding=15),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
clip_test_pipeline = [
    dict(
        type='SampleClipFrames',
        num_frames=num_frames,
        end='offset',
        mode='uniform'),
    dict(type='Resize', scale=(clip_size, clip_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
