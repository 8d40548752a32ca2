# TSFmicro-tiny with optical flow in place of the difference image: the
# temporal branch reads the onset-to-apex TV-L1 flow (u, v, strain at
# 112x112), the spatial branch the onset frame as before. FlowAsFramePair
# replaces the apex by onset + std * flow, so that the backbone's
# (apex - onset) / std, taken after the data preprocessor's normalization,
# is the flow itself; no option of the backbone changes (docs/results.md).
# The flow of each sample is computed once, on its first load, into
# data/demo/flow112_tvl1 (shared with OFF-ApexNet and STSTNet). No spatial
# augmentation: a flip or a rotation would have to turn the flow vectors
# too. Everything else is configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py. LOSO:
#   python tools/loso.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo-flow.py \
#       --work-dir work_dirs/tsfmicro_tiny_demo_flow
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

flow_root = 'data/demo/flow112_tvl1'
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
