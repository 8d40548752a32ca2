import json

import pytest
from mmengine.config import Config

from mmaction_tsfmicro.explain.folds import LosoFold, choose_fold, loso_folds


def write_work_dir(root, subjects, test_subjects=None):
    """A LOSO work dir's plan and fold folders (configs testing on each
    fold's subject)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / 'loso_plan.json').write_text(json.dumps(dict(subjects=subjects)))
    for subject in subjects:
        folder = root / ('fold_' + subject.replace('/', '_'))
        folder.mkdir()
        tested = (test_subjects or {}).get(subject, [subject])
        Config(dict(test_dataloader=dict(dataset=dict(
            ann_file='a.json', test_subjects=tested)))).dump(
                str(folder / 'fold_config.py'))
    return str(root)


def test_folds_follow_the_plan(tmp_path):
    work = write_work_dir(tmp_path / 'w', ['sub02', 'sub01'])
    folds = loso_folds(work)
    assert [f.subject for f in folds] == ['sub02', 'sub01']
    assert folds[0].folder.endswith('fold_sub02')
    assert folds[0].config.endswith('fold_sub02/fold_config.py')
    assert choose_fold(folds).subject == 'sub02'
    assert choose_fold(folds, 'sub01').subject == 'sub01'


def test_the_last_checkpoint_is_the_highest_epoch(tmp_path):
    work = write_work_dir(tmp_path / 'w', ['sub01'])
    fold = loso_folds(work)[0]
    with pytest.raises(FileNotFoundError, match='no epoch_<N>.pth'):
        fold.last_checkpoint()
    for name in ('epoch_2.pth', 'epoch_10.pth', 'epoch_x.pth', 'best.pth'):
        (tmp_path / 'w' / 'fold_sub01' / name).write_bytes(b'')
    assert fold.last_checkpoint().endswith('epoch_10.pth')


def test_composite_subjects_are_found_by_key_or_unique_name(tmp_path):
    work = write_work_dir(tmp_path / 'w',
                          ['casme2/sub01', 'samm/006', 'samm/sub01'])
    folds = loso_folds(work)
    assert folds[0].folder.endswith('fold_casme2_sub01')
    assert choose_fold(folds, '006').subject == 'samm/006'
    assert choose_fold(folds, 'samm/sub01').subject == 'samm/sub01'
    with pytest.raises(ValueError, match="'sub01' is ambiguous; use one of "
                       'casme2/sub01, samm/sub01'):
        choose_fold(folds, 'sub01')
    assert folds[0].load_config().test_dataloader.dataset.test_subjects == [
        'casme2/sub01'
    ]


def test_an_unknown_fold_names_the_folds(tmp_path):
    folds = loso_folds(write_work_dir(tmp_path / 'w', ['sub01', 'sub02']))
    with pytest.raises(ValueError) as info:
        choose_fold(folds, 'sub09')
    assert str(info.value) == ("no fold of subject 'sub09'; the folds: "
                               'sub01, sub02')


def test_a_fold_config_testing_another_subject_is_refused(tmp_path):
    work = write_work_dir(tmp_path / 'w', ['sub01'],
                          test_subjects={'sub01': ['sub02']})
    with pytest.raises(ValueError, match=r"tests on \['sub02'\], not on the "
                       "fold subject 'sub01'"):
        loso_folds(work)[0].load_config()
    missing = LosoFold('sub03', str(tmp_path), str(tmp_path / 'none.py'))
    with pytest.raises(FileNotFoundError, match='fold config not found'):
        missing.load_config()


def test_a_folder_that_is_no_loso_work_dir_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='not a LOSO work dir'):
        loso_folds(str(tmp_path))
    (tmp_path / 'loso_plan.json').write_text(json.dumps(dict(
        subjects=['sub01'])))
    with pytest.raises(FileNotFoundError, match='no fold folder'):
        loso_folds(str(tmp_path))
