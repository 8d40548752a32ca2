"""The subjects of a LOSO run and their fold folders."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_tsfmicro.loso.protocol import ProtocolError
from mmaction_tsfmicro.loso.subjects import (choose_subjects, config_subjects,
                                             fold_name, fold_names)

TINY = osp.join(osp.dirname(__file__), '..', 'data', 'configs', 'loso_tiny.py')


@pytest.fixture
def cfg():
    return Config.fromfile(TINY)


def write_ann(path, records):
    path.write_text(
        json.dumps(dict(metainfo=dict(classes=['a', 'b']), data_list=records)))
    return str(path)


def record(dataset, subject, clip='c1'):
    return dict(
        dataset=dataset,
        subject=subject,
        clip=clip,
        onset=1,
        apex=2,
        offset=3,
        emotion='a',
        label=0)


def test_fold_names_are_sanitized_and_distinct():
    assert fold_name('casme2/sub01') == 'fold_casme2_sub01'
    assert fold_name('spNO.1') == 'fold_spNO.1'
    assert fold_name('a b') == 'fold_a_b'
    with pytest.raises(ValueError, match='same fold folder'):
        fold_names(['casme2/sub01', 'casme2_sub01'])


def test_subjects_come_from_the_test_annotation(cfg, tmp_path):
    ann = write_ann(tmp_path / 'ann.json', [
        record('casme2', 'sub01'),
        record('casme2', 'sub02'),
        record('samm', '006'),
        record('samm', 'sub01')
    ])
    cfg.test_dataloader.dataset.ann_file = ann
    subjects = config_subjects(cfg)
    assert subjects == [
        'casme2/sub01', 'casme2/sub02', 'samm/006', 'samm/sub01'
    ]
    assert choose_subjects(
        subjects, ['006', 'casme2/sub01']) == ['casme2/sub01', 'samm/006']
    with pytest.raises(ValueError, match='ambiguous'):
        choose_subjects(subjects, ['sub01'])
    with pytest.raises(ValueError, match="unknown subject 'sub09'"):
        choose_subjects(subjects, ['sub09'])
    cfg.test_dataloader.dataset.ann_file = str(tmp_path / 'missing.json')
    with pytest.raises(ProtocolError, match='missing.json: file not found'):
        config_subjects(cfg)
