import pytest

from mmaction_tsfmicro.loso.selection import select_epoch
from mmaction_tsfmicro.utils.fileio import write_json


def write_epochs(fold_dir, values):
    for epoch, uf1 in values.items():
        write_json(
            str(fold_dir / 'test_subject_by_epoch' / f'epoch_{epoch}.json'),
            dict(metrics=dict(uf1=uf1, uar=0.5, acc=0.5), predictions=[]))


def test_best_epoch_first_on_ties(tmp_path):
    write_epochs(tmp_path, {1: 0.2, 2: 0.7, 3: 0.7, 10: 0.1})
    sel = select_epoch(str(tmp_path), 'uf1')
    assert (sel['epoch'], sel['value']) == (2, 0.7)
    assert sel['file'] == 'test_subject_by_epoch/epoch_2.json'
    assert sel['history'] == {'1': 0.2, '2': 0.7, '3': 0.7, '10': 0.1}
    assert select_epoch(str(tmp_path), 'uf1', max_epoch=1)['epoch'] == 1
    with pytest.raises(KeyError, match="no metric 'top1'"):
        select_epoch(str(tmp_path), 'top1')


def test_no_epoch_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='per-epoch'):
        select_epoch(str(tmp_path))
