# The pipelines of micro-expression samples, made of named pieces. A config
# that changes a piece (the input size, the pair window of SAMM) defines the
# piece again and rebuilds the pipelines from the pieces; no config edits a
# pipeline by its index (see docs/architecture.md, "Configs"):
#   input_size = 112
#   resize = dict(type='Resize', scale=(input_size, input_size),
#                 keep_ratio=False)
#   train_pipeline = [_base_.train_pair, _base_.load_pair, resize, ...]
input_size = 224
crop_padding = 15
pair_ratio = 0.15 / 4  # CASME II and CAS(ME)^3; SAMM uses 0.1
num_frames = 8  # frames of a clip (SampleClipFrames)
me_meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')

# the frames of a sample
# the official recipe: the training pair is the most different pair of the
# search window around the annotated onset and apex; testing uses those
train_pair = dict(type='SelectFramePair', mode='max_diff', ratio=pair_ratio)
test_pair = dict(type='SelectFramePair', mode='annotated')
load_pair = dict(type='LoadFramePair')
# num_frames frames from the onset to the offset, evenly spread (both ends
# kept), read as they are (TSFmicroSeq)
clip_frames = dict(
    type='SampleClipFrames', num_frames=num_frames, end='offset',
    mode='uniform')

# the same resize, flip, rotation and padded crop for every frame of a sample
resize = dict(type='Resize', scale=(input_size, input_size), keep_ratio=False)
flip = dict(type='Flip', flip_ratio=0.5)
rotate = dict(type='RandomRotate', max_angle=3)
random_crop = dict(
    type='PaddedRandomCrop', size=input_size, padding=crop_padding)

# (N, C, T, H, W) clips, or (N, C, H, W) images for 2-D models
pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=me_meta_keys)
]
pack_2d = [
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', meta_keys=me_meta_keys)
]

# frame pairs (TSFmicro) and clips (TSFmicroSeq)
train_pipeline = [
    train_pair, load_pair, resize, flip, rotate, random_crop, *pack
]
test_pipeline = [test_pair, load_pair, resize, *pack]
clip_train_pipeline = [clip_frames, resize, flip, rotate, random_crop, *pack]
clip_test_pipeline = [clip_frames, resize, *pack]
