import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.loso.folds import (
    ProtocolError, build_fold_config, check_protocol, choose_subjects,
    config_subjects, find_resume_checkpoint, fold_name, fold_names,
    prune_checkpoints)
from mmaction_tsfmicro.loso.runner import config_text

TINY = osp.join(
    osp.dirname(__file__), '..', 'data', 'configs', 'loso_tiny.py')


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
    with pytest.raises(FileNotFoundError, match='missing.json'):
        config_subjects(cfg)


def test_fold_config(cfg, tmp_path):
    fold = build_fold_config(cfg, 'sub02', str(tmp_path / 'fold_sub02'), 9)
    train, test = fold.train_dataloader, fold.test_dataloader
    assert train.dataset.exclude_subjects == ['sub02']
    assert train.dataset.test_subjects is None
    assert test.dataset.test_subjects == ['sub02']
    assert test.dataset.exclude_subjects is None
    assert train.persistent_workers is False
    ckpt = fold.default_hooks.checkpoint
    assert (ckpt.interval, ckpt.max_keep_ckpts, ckpt.by_epoch) == (1, 2, True)
    assert fold.val_dataloader is None and fold.val_cfg is None
    hooks = [h['type'] for h in fold.custom_hooks]
    assert hooks.count('SubjectSplitCheckHook') == 1
    assert 'EpochSeedHook' in hooks and 'EpochPredictionsHook' not in hooks
    assert fold.randomness.seed == 9
    assert fold.work_dir == str(tmp_path / 'fold_sub02')
    assert fold.test_evaluator == [
        dict(
            type='MEMetric',
            out_file=str(tmp_path / 'fold_sub02' / 'predictions.json'))
    ]
    # the base config is untouched, and the fold config survives a dump
    assert cfg.train_dataloader.dataset.exclude_subjects == ['sub01']
    path = tmp_path / 'fold_config.py'
    path.write_text(config_text(fold))
    again = Config.fromfile(str(path))
    assert again.train_dataloader.dataset.exclude_subjects == ['sub02']
    assert again.model == fold.model


def test_fold_config_with_wrapped_dataset_and_other_metrics(cfg, tmp_path):
    cfg.train_dataloader.dataset = dict(
        type='RepeatDataset', times=2, dataset=cfg.train_dataloader.dataset)
    cfg.test_evaluator = [dict(type='AccMetric')]
    fold = build_fold_config(cfg, 'sub03', str(tmp_path), 0)
    assert fold.train_dataloader.dataset.dataset.exclude_subjects == ['sub03']
    assert [m['type']
            for m in fold.test_evaluator] == ['AccMetric', 'MEMetric']


def test_select_on_test_fold_validates_on_the_test_subject(cfg, tmp_path):
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', save_best='uf1')
    fold = build_fold_config(
        cfg, 'sub01', str(tmp_path), 0, select_on_test=True)
    assert fold.val_dataloader.dataset.test_subjects == ['sub01']
    assert fold.train_cfg.val_interval == 1
    assert fold.default_hooks.checkpoint.save_best == 'uf1'
    hook = [
        h for h in fold.custom_hooks if h['type'] == 'EpochPredictionsHook'
    ][0]
    assert '{epoch}' in hook['out_template']


def test_selection_on_the_test_subject_is_refused(cfg):
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', save_best='auto')
    with pytest.raises(
            ProtocolError, match=r"save_best='auto'.*--select-on-test"):
        check_protocol(cfg, select_on_test=False)
    assert check_protocol(cfg, select_on_test=True) == []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook')
    cfg.custom_hooks = [dict(type='EarlyStoppingHook', monitor='uf1')]
    with pytest.raises(ProtocolError, match='EarlyStoppingHook'):
        check_protocol(cfg, select_on_test=False)


def test_validation_is_dropped_with_a_note(cfg, tmp_path):
    cfg.val_dataloader = cfg.test_dataloader
    notes = check_protocol(cfg, select_on_test=False)
    assert len(notes) == 1 and 'val_dataloader' in notes[0]
    assert build_fold_config(cfg, 'sub01', str(tmp_path),
                             0).val_dataloader is None


def test_iteration_based_training_is_refused(cfg):
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
    with pytest.raises(ProtocolError, match='epoch-based'):
        check_protocol(cfg, False)


def test_resume_checkpoint_skips_a_checkpoint_cut_short(tmp_path):
    for epoch in (1, 2):
        torch.save(
            dict(meta=dict(epoch=epoch)), tmp_path / f'epoch_{epoch}.pth')
    full = (tmp_path / 'epoch_2.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(full[:len(full) // 2])
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path /
                                                        'epoch_2.pth')
    assert not (tmp_path / 'epoch_3.pth').exists()
    prune_checkpoints(str(tmp_path), 'epoch_2.pth')
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_2.pth']
    prune_checkpoints(str(tmp_path), None)
    assert list(tmp_path.glob('*.pth')) == []


def test_no_complete_checkpoint_means_a_fresh_start(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    (tmp_path / 'epoch_1.pth').write_bytes(b'PK\x03\x04 cut')
    assert find_resume_checkpoint(str(tmp_path)) is None
    assert not (tmp_path / 'epoch_1.pth').exists()
