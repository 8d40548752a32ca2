import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.engine.hooks import EpochPredictionsHook
from mmaction_tsfmicro.evaluation.metrics import MEMetric


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
