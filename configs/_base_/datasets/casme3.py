# CAS(ME)^3 part A, 7 classes (happy, disgust, fear, anger, sad, surprise,
# others), 860 samples of 94 subjects. Frames: faces aligned by
# tools/data/preprocess_faces.py from part A (<subject>/<clip>/color/<N>.jpg).
_base_ = ['./me_loso.py']

data_root = 'data/casme3'
ann_file = 'data/casme3/annotations/casme3_7cls.json'
test_subject = 'spNO.1'  # tools/loso.py sets every subject in turn
frame_args = dict(
    ann_file=ann_file,
    data_prefix=dict(img=data_root + '/faces'),
    layout='casme3')

train_dataloader = dict(
    dataset=dict(exclude_subjects=[test_subject], **frame_args))
test_dataloader = dict(
    dataset=dict(test_subjects=[test_subject], **frame_args))
