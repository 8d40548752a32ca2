# TSFmicro on the MEGC 2019 composite, 3 classes, the recipe of
# tsfmicro_retnet_1xb32-199e_megc2019.py, with CASME II read from faces aligned by
# tools/data/preprocess_faces.py (data/casme2/faces/subXX/<clip>/img<N>.jpg)
# instead of the cropped release; SAMM (and SMIC) as there. See
# docs/datasets/megc2019.md.
_base_ = ['./tsfmicro_retnet_1xb32-199e_megc2019.py']

aligned = dict(
    frame_roots=dict(casme2='data/casme2/faces'), layout=dict(casme2='casme2'))
train_dataloader = dict(dataset=aligned)
test_dataloader = dict(dataset=aligned)
