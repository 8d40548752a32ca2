"""Epoch selection on the test subject (``tools/loso.py --select-on-test``).

Picking, for each fold, the epoch that scores best on the held-out subject
uses the test labels for model selection; the numbers it gives are
optimistic (MEB measured +6 to +14 UF1 points). It is offered only to
reproduce papers that did it, and the LOSO report always shows the
last-epoch numbers beside it.
"""
import glob
import os.path as osp
import re
from typing import Dict, Optional

from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from ..atomic import read_json
from ..metrics import MEMetric

#: Per-epoch prediction files of a fold, relative to the fold folder.
EPOCH_FILE = 'test_subject_by_epoch/epoch_{epoch}.json'


@HOOKS.register_module()
class EpochPredictionsHook(Hook):
    """Point the :class:`MEMetric` of validation at one file per epoch.

    Before each validation, ``out_file`` of every :class:`MEMetric` of the
    validation evaluator becomes ``out_template.format(epoch=E)``, ``E``
    being the number of finished training epochs. A run resumed from a
    checkpoint whose epoch has no file yet validates that epoch first.

    Args:
        out_template (str): File name template with ``{epoch}``.
    """

    priority = 'HIGH'

    def __init__(self, out_template: str) -> None:
        if '{epoch}' not in out_template:
            raise ValueError(f'EpochPredictionsHook: out_template must hold '
                             f'"{{epoch}}", got {out_template!r}')
        self.out_template = out_template

    def before_train(self, runner) -> None:
        """After resuming from epoch ``E``: validate now if the run was
        stopped between saving the checkpoint of ``E`` and validating it."""
        epoch = runner.epoch
        if epoch > 0 and not osp.isfile(self.out_template.format(epoch=epoch)):
            runner.val_loop.run()

    def before_val_epoch(self, runner) -> None:
        """Set the output file of the epoch's predictions."""
        metrics = getattr(runner.val_evaluator, 'metrics', [])
        found = False
        for metric in metrics:
            if isinstance(metric, MEMetric):
                metric.out_file = self.out_template.format(epoch=runner.epoch)
                found = True
        if not found:
            raise ValueError('EpochPredictionsHook: val_evaluator has no '
                             'MEMetric')


def epoch_files(fold_dir: str) -> Dict[int, str]:
    """The per-epoch prediction files of a fold, by epoch."""
    pattern = osp.join(fold_dir, EPOCH_FILE.format(epoch='*'))
    found = {}
    for path in glob.glob(pattern):
        m = re.search(r'epoch_(\d+)\.json$', path)
        if m:
            found[int(m.group(1))] = path
    return dict(sorted(found.items()))


def select_epoch(fold_dir: str,
                 metric: str = 'uf1',
                 max_epoch: Optional[int] = None) -> Dict:
    """The epoch whose test-subject score is highest (first one on ties).

    Args:
        fold_dir (str): The fold folder.
        metric (str): ``'uf1'``, ``'uar'`` or ``'acc'``.
        max_epoch (int, optional): Ignore files of later epochs.

    Returns:
        dict: ``epoch``, ``metric``, ``value``, ``file`` (relative to
        ``fold_dir``) and ``history`` (epoch -> value).
    """
    files = epoch_files(fold_dir)
    if max_epoch is not None:
        files = {e: p for e, p in files.items() if e <= max_epoch}
    if not files:
        raise FileNotFoundError(
            f'{fold_dir}: no per-epoch test-subject predictions '
            f'({EPOCH_FILE.format(epoch="*")}) to select from')
    history = {}
    for epoch, path in files.items():
        scores = read_json(path)['metrics']
        if metric not in scores:
            raise KeyError(f'{path}: no metric {metric!r} (has '
                           f'{sorted(scores)})')
        history[epoch] = float(scores[metric])
    best = max(history, key=lambda e: (history[e], -e))
    return dict(
        epoch=best,
        metric=metric,
        value=history[best],
        file=osp.relpath(files[best], fold_dir),
        history={
            str(e): v
            for e, v in history.items()
        })
