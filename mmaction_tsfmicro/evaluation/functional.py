"""The MEGC recognition metrics: UF1, UAR and accuracy.

Definitions (MEGC 2019), with ``TP_c``, ``FP_c``, ``FN_c`` counted one class
against the rest and ``N_c`` the true samples of class ``c``:

* ``UF1 = mean_c 2 TP_c / (2 TP_c + FP_c + FN_c)`` (unweighted F1),
* ``UAR = mean_c TP_c / N_c`` (unweighted average recall),
* ``accuracy = sum_c TP_c / N``.

**Which classes the means run over.** The classes that occur in the ground
truth or in the predictions of the evaluated samples, exactly as
scikit-learn's ``f1_score`` and ``recall_score`` with ``average='macro'``
and ``zero_division=0`` do (their labels are those of ``y_true`` and
``y_pred`` together). A class that is neither true nor predicted is left
out. A class that is predicted but absent from the ground truth enters with
F1 0 (its ``TP`` is 0, its ``FP`` is not) and recall 0.

The MEGC 2019 evaluation script (``recognition_evaluation``, one
``confusion_matrix(gt, pred).ravel()`` per class) agrees on UF1: a class it
cannot unpack, because it is neither true nor predicted, is skipped, and a
predicted-only class scores F1 0. For UAR on such samples it divides 0 by 0
and returns NaN; here the recall of that class is 0, as in scikit-learn.
On predictions pooled over the folds of a LOSO run every class is true
somewhere, so all three definitions give the same numbers; they differ only
on single folds, which is why per-fold numbers and their average are not
comparable with pooled numbers.
"""
from typing import Dict, Optional, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix as _sk_confusion_matrix


def _as_labels(values: Sequence[int], name: str,
               num_classes: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f'{name} must be a 1-D sequence of class indices, '
                         f'got shape {arr.shape}')
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f'{name} holds non-integer labels')
        arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= num_classes)
    if bad.any():
        raise ValueError(f'{name}[{int(np.argmax(bad))}] = '
                         f'{arr[np.argmax(bad)]} is outside the '
                         f'{num_classes} classes')
    return arr.astype(np.int64)


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int],
                     num_classes: int) -> np.ndarray:
    """The ``num_classes x num_classes`` confusion matrix.

    Args:
        y_true (Sequence[int]): True class indices.
        y_pred (Sequence[int]): Predicted class indices.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: ``cm[i, j]`` = samples of true class ``i`` predicted as
        ``j`` (int64).
    """
    y_true = _as_labels(y_true, 'y_true', num_classes)
    y_pred = _as_labels(y_pred, 'y_pred', num_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f'y_true has {y_true.size} labels but y_pred has '
                         f'{y_pred.size}')
    if y_true.size == 0:
        return np.zeros((num_classes, num_classes), dtype=np.int64)
    return _sk_confusion_matrix(
        y_true, y_pred, labels=np.arange(num_classes)).astype(np.int64)


def class_stats(cm: np.ndarray) -> Dict[str, np.ndarray]:
    """Per-class counts and scores of a confusion matrix.

    Args:
        cm (np.ndarray): A square confusion matrix (rows: true classes).

    Returns:
        dict[str, np.ndarray]: ``support`` (``N_c``), ``predicted``,
        ``tp``, ``fp``, ``fn`` (ints) and ``f1``, ``recall``, ``precision``
        (floats, NaN where undefined: ``recall`` and ``f1`` for an absent
        class, ``precision`` for a class never predicted).
    """
    cm = np.asarray(cm, dtype=np.int64)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    fp, fn = predicted - tp, support - tp
    with np.errstate(divide='ignore', invalid='ignore'):
        recall = np.where(support > 0, tp / support, np.nan)
        precision = np.where(predicted > 0, tp / predicted, np.nan)
        f1 = np.where(support > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return dict(
        support=support,
        predicted=predicted,
        tp=tp,
        fp=fp,
        fn=fn,
        f1=f1.astype(np.float64),
        recall=recall.astype(np.float64),
        precision=precision.astype(np.float64))


def me_scores(y_true: Sequence[int],
              y_pred: Sequence[int],
              num_classes: int,
              classes: Optional[Sequence[str]] = None) -> Dict:
    """UF1, UAR and accuracy of a set of predictions (MEGC 2019).

    Means run over the classes that are true or predicted (see the module
    docstring).

    Args:
        y_true (Sequence[int]): True class indices.
        y_pred (Sequence[int]): Predicted class indices.
        num_classes (int): Number of classes.
        classes (Sequence[str], optional): Class names, for ``per_class``.

    Returns:
        dict: ``uf1``, ``uar``, ``acc`` (floats), ``num_samples``,
        ``present_classes`` (indices of the true classes),
        ``scored_classes`` (indices of the classes the means run over),
        ``confusion_matrix`` (list of lists) and ``per_class`` (class name
        -> counts and scores, None where undefined).
    """
    cm = confusion_matrix(y_true, y_pred, num_classes)
    total = int(cm.sum())
    if total == 0:
        raise ValueError('no samples to evaluate')
    stats = class_stats(cm)
    present = stats['support'] > 0
    scored = present | (stats['predicted'] > 0)
    names = list(classes) if classes is not None else [
        str(i) for i in range(num_classes)
    ]
    if len(names) != num_classes:
        raise ValueError(f'{len(names)} class names given for '
                         f'{num_classes} classes')

    def _num(v) -> Optional[float]:
        return None if np.isnan(v) else float(v)

    per_class = {
        name:
        dict(
            support=int(stats['support'][c]),
            predicted=int(stats['predicted'][c]),
            tp=int(stats['tp'][c]),
            fp=int(stats['fp'][c]),
            fn=int(stats['fn'][c]),
            f1=_num(stats['f1'][c]),
            recall=_num(stats['recall'][c]),
            precision=_num(stats['precision'][c]))
        for c, name in enumerate(names)
    }
    # a predicted class absent from the ground truth scores F1 0, recall 0
    f1 = np.nan_to_num(stats['f1'], nan=0.0)
    recall = np.nan_to_num(stats['recall'], nan=0.0)
    return dict(
        uf1=float(f1[scored].mean()),
        uar=float(recall[scored].mean()),
        acc=float(stats['tp'].sum() / total),
        num_samples=total,
        present_classes=[int(c) for c in np.flatnonzero(present)],
        scored_classes=[int(c) for c in np.flatnonzero(scored)],
        confusion_matrix=cm.tolist(),
        per_class=per_class)
