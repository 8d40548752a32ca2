# TSFmicro-tiny on the demo set without the annotated apex: the apex of
# every clip, at training and at test time, is the frame of onset+1..offset
# farthest (L2 over the pixels) from the onset frame
# (SelectFramePair(mode='estimated_apex')). Everything else is
# configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py, the annotated-apex model it compares with:
#   python tools/loso.py configs/apex_free/tsfmicro_retnet-tiny_1xb32-30e_demo-estimated-apex.py \
#       --work-dir work_dirs/demo_estimated_apex --jobs 2
_base_ = ['../tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py']

estimated_pair = dict(type='SelectFramePair', mode='estimated_apex')
train_pipeline = [
    estimated_pair, _base_.load_pair, _base_.resize, _base_.flip,
    _base_.rotate, _base_.random_crop, *_base_.pack
]
test_pipeline = [estimated_pair, _base_.load_pair, _base_.resize, *_base_.pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
