import pytest

import mmaction_tsfmicro  # noqa: F401
from mmaction_tsfmicro.evaluation.atomic import write_json
from mmaction_tsfmicro.evaluation.loso.selection import (EpochPredictionsHook,
                                                         select_epoch)
from mmaction_tsfmicro.evaluation.metrics import MEMetric


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


def test_hook_points_the_metric_at_the_epoch_file(tmp_path):
    metric = MEMetric()

    class Evaluator:
        metrics = [metric]

    class Runner:
        val_evaluator = Evaluator()
        epoch = 4

    hook = EpochPredictionsHook(str(tmp_path / 'e_{epoch}.json'))
    hook.before_val_epoch(Runner())
    assert metric.out_file == str(tmp_path / 'e_4.json')
    with pytest.raises(ValueError, match='out_template'):
        EpochPredictionsHook('no_placeholder.json')
    Evaluator.metrics = []
    with pytest.raises(ValueError, match='no MEMetric'):
        hook.before_val_epoch(Runner())


def test_resumed_run_validates_an_epoch_left_without_file(tmp_path):
    ran = []

    class ValLoop:

        def run(self):
            ran.append(True)

    class Runner:
        epoch = 2
        val_loop = ValLoop()

    hook = EpochPredictionsHook(str(tmp_path / 'epoch_{epoch}.json'))
    hook.before_train(Runner())
    assert ran == [True]
    (tmp_path / 'epoch_2.json').write_text('{}')
    hook.before_train(Runner())
    Runner.epoch = 0  # a fresh run has nothing to validate
    hook.before_train(Runner())
    assert ran == [True]
