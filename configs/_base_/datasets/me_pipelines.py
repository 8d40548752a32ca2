# Frame-pair pipelines of the official TSFmicro recipe, shared by the
# datasets: both frames get the same flip, rotation and padded crop.
input_size = 224
pair_ratio = 0.15 / 4  # CASME II and CAS(ME)^3; SAMM uses 0.1
me_meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')

train_pipeline = [
    dict(type='SelectFramePair', mode='max_diff', ratio=pair_ratio),
    dict(type='LoadFramePair'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomRotate', max_angle=3),
    dict(type='PaddedRandomCrop', size=input_size, padding=15),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=me_meta_keys)
]
test_pipeline = [
    dict(type='SelectFramePair', mode='annotated'),
    dict(type='LoadFramePair'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=me_meta_keys)
]
