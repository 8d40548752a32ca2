"""The MEGC recognition metrics: UF1, UAR and accuracy.

Definitions (MEGC 2019), with ``TP_c``, ``FP_c``, ``FN_c`` counted one class
against the rest and ``N_c`` the true samples of class ``c``:

* ``UF1 = mean_c 2 TP_c / (2 TP_c + FP_c + FN_c)`` (unweighted F1),
* ``UAR = mean_c TP_c / N_c`` (unweighted average recall),
* ``accuracy = sum_c TP_c / N``.

**Classes absent from the ground truth.** The means run over the classes
that occur in the ground truth of the evaluated samples (``N_c > 0``), as
the MEGC 2019 evaluation script does (its per-class computation divides by
``N_c`` and skips a class for which that fails). A class that is predicted
but absent from the ground truth therefore does not enter UF1 or UAR; its
false positives still lower the F1 of the true classes of those samples
(as their false negatives). For pooled LOSO predictions every class is
present; for a single fold it matters, and it is why the per-fold numbers
and their average are not comparable with pooled numbers.
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

    Means run over the classes present in ``y_true`` (see the module
    docstring).

    Args:
        y_true (Sequence[int]): True class indices.
        y_pred (Sequence[int]): Predicted class indices.
        num_classes (int): Number of classes.
        classes (Sequence[str], optional): Class names, for ``per_class``.

    Returns:
        dict: ``uf1``, ``uar``, ``acc`` (floats), ``num_samples``,
        ``present_classes`` (indices), ``confusion_matrix`` (list of
        lists) and ``per_class`` (class name -> counts and scores, None
        where undefined).
    """
    cm = confusion_matrix(y_true, y_pred, num_classes)
    total = int(cm.sum())
    if total == 0:
        raise ValueError('no samples to evaluate')
    stats = class_stats(cm)
    present = stats['support'] > 0
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
    return dict(
        uf1=float(stats['f1'][present].mean()),
        uar=float(stats['recall'][present].mean()),
        acc=float(stats['tp'].sum() / total),
        num_samples=total,
        present_classes=[int(c) for c in np.flatnonzero(present)],
        confusion_matrix=cm.tolist(),
        per_class=per_class)
