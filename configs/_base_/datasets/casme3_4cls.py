# CAS(ME)^3 part A, 4 classes (positive, negative, surprise, others).
_base_ = ['./casme3.py']

ann_file = 'data/casme3/annotations/casme3_4cls.json'
train_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
