"""Pooling the predictions of finished LOSO folds, and their scores.

The MEGC metric pools the predictions of every fold before scoring
(:func:`pooled_scores`); per-fold scores (:func:`per_fold_scores`) are
kept apart and labelled, because their average is not that metric.
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..evaluation.functional import me_scores
from ..utils.fileio import read_json
from .work_dir import FOLD_PREDICTIONS, read_record

PER_FOLD_NOTE = (
    "mean over folds of each fold's own score (a fold's UF1/UAR average "
    'the classes true or predicted in that fold, as scikit-learn\'s macro '
    'average does); NOT the MEGC metric, which pools the predictions of all '
    'folds first')


class Fold:
    """A finished fold: its record and predictions.

    Args:
        subject (str): The fold's test subject (its key).
        fold_dir (str): The fold folder.

    Raises:
        FileNotFoundError: If the fold has not finished.
    """

    def __init__(self, subject: str, fold_dir: str) -> None:
        self.subject = subject
        self.fold_dir = fold_dir
        self.name = osp.basename(fold_dir)
        record = read_record(fold_dir)
        if record is None:
            raise FileNotFoundError(
                f'{fold_dir}: the fold has not finished (no '
                'fold_result.json); run tools/loso.py with --resume')
        self.record = record
        self.data = read_json(osp.join(fold_dir, record['predictions']))

    def selected_data(self) -> Dict:
        """The predictions of the epoch selected on the test subject."""
        sel = self.record.get('selected_on_test')
        if not sel:
            raise ValueError(f'{self.fold_dir}: the fold has no epoch '
                             'selected on the test subject')
        return read_json(osp.join(self.fold_dir, sel['file']))


def check_classes(folds: Sequence[Fold]) -> List[str]:
    """The class names every fold's predictions share.

    Raises:
        ValueError: If two folds name other classes.
    """
    classes = folds[0].data['classes']
    for fold in folds[1:]:
        if fold.data['classes'] != classes:
            raise ValueError(
                f"{fold.fold_dir}/{FOLD_PREDICTIONS}: classes "
                f"{fold.data['classes']} differ from {classes} of "
                f'{folds[0].fold_dir}')
    return list(classes)


def fold_rows(folds: Sequence[Fold], selected: bool = False) -> List[Dict]:
    """Every test sample's prediction, each row naming its ``fold``.

    Args:
        folds (sequence[Fold]): The folds.
        selected (bool): The predictions of the epoch selected on the test
            subject instead of the last epoch's.

    Returns:
        list[dict]: The rows, fold by fold.
    """
    rows = []
    for fold in folds:
        data = fold.selected_data() if selected else fold.data
        for p in data['predictions']:
            rows.append(dict(p, fold=fold.name))
    return rows


def pooled_scores(rows: Sequence[Dict], classes: Sequence[str]) -> Dict:
    """The MEGC scores of the rows taken together (see
    :func:`~mmaction_tsfmicro.evaluation.functional.me_scores`)."""
    return me_scores([r['label'] for r in rows], [r['pred'] for r in rows],
                     len(classes), classes)


def summary_of(scores: Dict) -> Dict:
    """UF1, UAR, accuracy and the sample count of a score dict."""
    return {k: scores[k] for k in ('uf1', 'uar', 'acc', 'num_samples')}


def group_by_fold(rows: Sequence[Dict]) -> Dict[str, List[Dict]]:
    """The rows of each fold (fold folder name -> rows)."""
    out: Dict[str, List[Dict]] = {}
    for r in rows:
        out.setdefault(r['fold'], []).append(r)
    return out


def per_fold_scores(folds: Sequence[Fold], rows_by_fold: Dict[str, List[Dict]],
                    classes: Sequence[str]) -> Tuple[Dict, Dict]:
    """Each fold's own scores, and their average (labelled: not MEGC).

    Args:
        folds (sequence[Fold]): The folds.
        rows_by_fold (dict): :func:`group_by_fold` of their rows.
        classes (sequence[str]): The class names.

    Returns:
        tuple[dict, dict]: Subject -> its fold's scores, and the average
        over folds with its ``note``.
    """
    per_subject, values = {}, {'uf1': [], 'uar': [], 'acc': []}
    for fold in folds:
        rows = rows_by_fold[fold.name]
        s = pooled_scores(rows, classes)
        for k in values:
            values[k].append(s[k])
        per_subject[fold.subject] = dict(
            fold=fold.name,
            num_samples=s['num_samples'],
            correct=int(sum(r['label'] == r['pred'] for r in rows)),
            acc=s['acc'],
            uf1=s['uf1'],
            uar=s['uar'],
            classes_present=[classes[c] for c in s['present_classes']],
            datasets=sorted({str(r['dataset'])
                             for r in rows}))
    average = {k: float(np.mean(v)) for k, v in values.items()}
    average.update(num_folds=len(folds), note=PER_FOLD_NOTE)
    return per_subject, average


def per_dataset_scores(rows: Sequence[Dict], classes: Sequence[str]) -> Dict:
    """The pooled scores of each dataset's rows (for composite runs)."""
    out = {}
    for dataset in sorted({str(r['dataset']) for r in rows}):
        sub = [r for r in rows if str(r['dataset']) == dataset]
        out[dataset] = dict(
            summary_of(pooled_scores(sub, classes)),
            num_subjects=len({r['subject_key']
                              for r in sub}))
    return out
