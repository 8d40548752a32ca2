# TSFmicro on CASME II, 5 classes, the official recipe, with optical flow
# in place of the difference image: the temporal branch reads the
# onset-to-apex TV-L1 flow (u, v, strain at 224x224), the spatial branch
# the onset frame (see configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo-flow.py). The
# flow of each sample is computed once from the cropped release's frames,
# on its first load, into data/casme2/flow_tvl1_cropped, or ahead with
#   python tools/data/compute_flow.py --dataset casme2 --layout \
#       casme2_cropped --ann data/casme2/annotations/casme2_5cls.json \
#       --src data/casme2/Cropped --dst data/casme2/flow_tvl1_cropped \
#       --method tvl1 --workers 2
# No spatial augmentation (it would have to turn the flow vectors too),
# and the annotated pair (the flow is the annotated pair's).
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

flow_root = 'data/casme2/flow_tvl1_cropped'
load_flow = dict(
    type='LoadFlow',
    flow_root=flow_root,
    key='flow',
    size=_base_.input_size,
    channels=('u', 'v', 'strain'),
    compute=dict(method='tvl1'))
flow_pipeline = [
    _base_.test_pair, _base_.load_pair, _base_.resize, load_flow,
    dict(type='FlowAsFramePair'), *_base_.pack
]
train_pipeline = flow_pipeline
test_pipeline = flow_pipeline
train_dataloader = dict(dataset=dict(pipeline=flow_pipeline))
test_dataloader = dict(dataset=dict(pipeline=flow_pipeline))
