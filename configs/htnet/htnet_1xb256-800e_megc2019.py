# HTNet on the MEGC 2019 composite (CASME II + SAMM [+ SMIC]), 3 classes,
# the authors' setting; tested with the last epoch's weights (the authors
# keep each subject's best epoch on its own test samples, docs/htnet.md).
_base_ = [
    '../baselines/_base_/models/htnet.py', '../_base_/datasets/megc2019.py',
    '../baselines/_base_/htnet_schedule.py', '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=3))
# TV-L1 flow of each source's frames, computed on first load (or ahead by
# tools/data/compute_flow.py), filed by data set
load_flow = dict(
    _base_.load_flow,
    flow_root='data/megc2019/flow_tvl1',
    path_tmpl='{dataset}/{subject}/{clip}/flow_{onset}_{apex}.npy')
train_pipeline = [load_flow, _base_.region_tiles, *_base_.pack_2d]
test_pipeline = train_pipeline
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
