# MEGC 2019 composite, 3 classes (negative, positive, surprise): CASME II
# and SAMM (and SMIC when its annotation is supplied), one LOSO fold per
# subject of each data set; subject keys are <dataset>/<subject>.
_base_ = ['./me_loso.py']

ann_file = 'data/megc2019/annotations/megc2019_3cls.json'
test_subject = 'casme2/sub01'  # tools/loso.py sets every subject in turn
frame_args = dict(
    ann_file=ann_file,
    frame_roots=dict(
        casme2='data/casme2/Cropped',
        samm='data/samm/faces',
        smic='data/smic/faces'),
    layout=dict(casme2='casme2_cropped', samm='samm', smic='casme2'))

train_dataloader = dict(
    dataset=dict(exclude_subjects=[test_subject], **frame_args))
test_dataloader = dict(
    dataset=dict(test_subjects=[test_subject], **frame_args))
