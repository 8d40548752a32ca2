# TSFmicro-tiny trained on every subject of the demo set (none held out):
# the released demo checkpoint of the model zoo (checkpoints/), for
# tools/infer.py on new clips. Its numbers are the LOSO of the same recipe,
# configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py (docs/model_zoo.md):
#   python tools/train.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo-all-subjects.py
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

train_dataloader = dict(dataset=dict(exclude_subjects=None))
# no held-out subject: nothing to test on
test_dataloader = None
test_evaluator = None
test_cfg = None
