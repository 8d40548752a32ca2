# SAMM, 5 classes (anger, contempt, happiness, surprise, other), 136
# samples. Frames: faces aligned by tools/data/preprocess_faces.py from the
# SAMM release (<subject>/<clip>/<subject>_<NNNNN>.jpg, grayscale, expanded
# to 3 channels when loaded). The official recipe searches a wider window
# for the training frame pair on SAMM: r = floor(0.1 * (apex - onset)).
_base_ = ['./me_loso.py']

data_root = 'data/samm'
ann_file = 'data/samm/annotations/samm_5cls.json'
test_subject = '006'  # tools/loso.py sets every subject in turn
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img=data_root + '/faces'),
    layout='samm')

# the official recipe's wider window for the training pair (SelectFramePair)
pair_ratio = 0.1
train_pair = dict(_base_.train_pair, ratio=pair_ratio)
train_pipeline = [
    train_pair, _base_.load_pair, _base_.resize, _base_.flip, _base_.rotate,
    _base_.random_crop, *_base_.pack
]
train_dataloader = dict(
    dataset=dict(
        exclude_subjects=[test_subject], pipeline=train_pipeline, **
        frame_args))
test_dataloader = dict(
    dataset=dict(test_subjects=[test_subject], **frame_args))
