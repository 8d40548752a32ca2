# The demo set (tools/data/make_demo_dataset.py, docs/demo.md: 19 subjects x
# 15 clips, 5 balanced classes; synthetic action-unit motions on real
# faces), aligned at 112x112 by `make demo`, read by every demo config: the
# same annotation file, frames, subjects, metric and pipelines at 112x112
# (a padding of 8 for the random crop). A method config adds its model and
# schedule, and picks or builds its pipelines from the named pieces.
_base_ = ['./me_loso.py']

input_size = 112
crop_padding = 8
ann_file = 'data/demo/annotations/demo_5cls.json'
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img='data/demo/faces112'),
    layout='casme2')
test_subject = 'sub01'  # tools/loso.py sets every subject in turn

resize = dict(type='Resize', scale=(input_size, input_size), keep_ratio=False)
random_crop = dict(
    type='PaddedRandomCrop', size=input_size, padding=crop_padding)
train_pipeline = [
    _base_.train_pair, _base_.load_pair, resize, _base_.flip, _base_.rotate,
    random_crop, *_base_.pack
]
test_pipeline = [_base_.test_pair, _base_.load_pair, resize, *_base_.pack]
clip_train_pipeline = [
    _base_.clip_frames, resize, _base_.flip, _base_.rotate, random_crop,
    *_base_.pack
]
clip_test_pipeline = [_base_.clip_frames, resize, *_base_.pack]

train_dataloader = dict(
    num_workers=0,
    dataset=dict(
        exclude_subjects=[test_subject], pipeline=train_pipeline,
        **frame_args))
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        test_subjects=[test_subject], pipeline=test_pipeline, **frame_args))
