# TSFmicro-tiny on the demo set without the annotated apex: the apex of
# every clip, at training and at test time, is the frame of onset+1..offset
# farthest (L2 over the pixels) from the onset frame
# (SelectFramePair(mode='estimated_apex')). Everything else is
# configs/tsfmicro_demo.py, the annotated-apex model it compares with:
#   python tools/loso.py configs/apex_free/tsfmicro_demo_estimated-apex.py \
#       --work-dir work_dirs/demo_estimated_apex --jobs 2
_base_ = ['../tsfmicro_demo.py']

train_pipeline = _base_.train_pipeline
train_pipeline[0] = dict(type='SelectFramePair', mode='estimated_apex')
test_pipeline = _base_.test_pipeline
test_pipeline[0] = dict(type='SelectFramePair', mode='estimated_apex')
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
