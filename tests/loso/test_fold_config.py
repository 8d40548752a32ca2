"""The config of one fold."""
import os.path as osp

import pytest
from mmengine.config import Config

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.loso.fold_config import build_fold_config
from mmaction_tsfmicro.loso.protocol import check_protocol
from mmaction_tsfmicro.loso.work_dir import config_text

TINY = osp.join(osp.dirname(__file__), '..', 'data', 'configs', 'loso_tiny.py')


@pytest.fixture
def cfg():
    return Config.fromfile(TINY)


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
    # the epoch is picked from the per-epoch predictions, not by the hook
    assert 'save_best' not in fold.default_hooks.checkpoint
    hook = [
        h for h in fold.custom_hooks if h['type'] == 'EpochPredictionsHook'
    ][0]
    assert '{epoch}' in hook['out_template']


def test_validation_is_dropped_with_a_note(cfg, tmp_path):
    cfg.val_dataloader = cfg.test_dataloader
    notes = check_protocol(cfg, select_on_test=False)
    assert len(notes) == 1 and 'val_dataloader' in notes[0]
    assert build_fold_config(cfg, 'sub01', str(tmp_path),
                             0).val_dataloader is None
