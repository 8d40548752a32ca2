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

from ..utils.fileio import read_json

#: Per-epoch prediction files of a fold, relative to the fold folder.
EPOCH_FILE = 'test_subject_by_epoch/epoch_{epoch}.json'


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
