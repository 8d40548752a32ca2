# TSFmicro on CASME II, 5 classes, the official recipe of tsfmicro_retnet_1xb32-174e_casme2.py,
# reading faces aligned by tools/data/preprocess_faces.py instead of the
# cropped release: data/casme2/faces/subXX/<clip>/img<N>.jpg, made from
# CASME2_RAW_selected (or from Cropped with --layout casme2_cropped
# --out-layout casme2). See docs/datasets/casme2.md.
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

aligned = dict(data_prefix=dict(img='data/casme2/faces'), layout='casme2')
train_dataloader = dict(dataset=aligned)
test_dataloader = dict(dataset=aligned)
