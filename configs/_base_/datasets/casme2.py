# CASME II, 5 classes (happiness, disgust, repression, surprise, others),
# 249 samples of 26 subjects. Frames: the official cropped release
# (Cropped/subXX/<clip>/reg_img<N>.jpg); for faces aligned by
# tools/data/preprocess_faces.py set data_prefix to its output and
# layout='casme2'. Annotation: tools/data/build_annotations.py casme2 ...
_base_ = ['./me_loso.py']

data_root = 'data/casme2'
ann_file = 'data/casme2/annotations/casme2_5cls.json'
test_subject = 'sub01'  # tools/loso.py sets every subject in turn
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img=data_root + '/Cropped'),
    layout='casme2_cropped')

train_dataloader = dict(
    dataset=dict(exclude_subjects=[test_subject], **frame_args))
test_dataloader = dict(
    dataset=dict(test_subjects=[test_subject], **frame_args))
