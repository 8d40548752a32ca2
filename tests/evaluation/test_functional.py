import numpy as np
import pytest
from sklearn.metrics import f1_score, recall_score

from mmaction_tsfmicro.evaluation.functional import (class_stats,
                                                     confusion_matrix,
                                                     me_scores)


def megc_recognition_evaluation(y_true, y_pred, num_classes):
    """The MEGC 2019 script's per-class computation: a class one
    ``confusion_matrix(gt, pred).ravel()`` cannot unpack into four counts
    (neither true nor predicted) is skipped; recall divides by the true
    samples, giving NaN where there are none."""
    f1s, recalls = [], []
    for c in range(num_classes):
        gt = [int(y == c) for y in y_true]
        pred = [int(p == c) for p in y_pred]
        from sklearn.metrics import confusion_matrix as sk_cm
        counts = sk_cm(gt, pred).ravel()
        if len(counts) != 4:
            continue
        tn, fp, fn, tp = counts
        f1s.append(2 * tp / (2 * tp + fp + fn))
        with np.errstate(invalid='ignore', divide='ignore'):
            recalls.append(np.float64(tp) / np.float64(sum(gt)))
    return float(np.mean(f1s)), float(np.mean(recalls))


def test_hand_computed_example_with_a_predicted_but_absent_class():
    # class 3 never occurs in the ground truth but is predicted once
    y_true = [0, 0, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 3]
    s = me_scores(y_true, y_pred, 4, ['a', 'b', 'c', 'd'])
    # F1: a 2/(2+0+1), b 4/(4+1+0), c 0/(0+0+1), d 0/(0+1+0)
    assert s['uf1'] == pytest.approx((2 / 3 + 4 / 5 + 0 + 0) / 4)
    # recall: a 1/2, b 1, c 0, d 0 (no true sample: 0, as scikit-learn)
    assert s['uar'] == pytest.approx((1 / 2 + 1 + 0 + 0) / 4)
    assert s['acc'] == pytest.approx(3 / 5)
    assert s['present_classes'] == [0, 1, 2]
    assert s['scored_classes'] == [0, 1, 2, 3]
    assert s['per_class']['d'] == dict(
        support=0,
        predicted=1,
        tp=0,
        fp=1,
        fn=0,
        f1=None,
        recall=None,
        precision=0.0)
    assert s['per_class']['c']['precision'] is None  # never predicted
    assert s['confusion_matrix'][2] == [0, 0, 0, 1]
    # a class neither true nor predicted is left out
    assert me_scores([0, 1], [0, 1], 5)['uf1'] == 1.0
    # the MEGC script: the same UF1, and NaN for UAR
    uf1, uar = megc_recognition_evaluation(y_true, y_pred, 4)
    assert uf1 == pytest.approx(s['uf1']) and np.isnan(uar)


@pytest.mark.parametrize('seed', range(8))
def test_matches_sklearn_and_the_megc_script(seed):
    rng = np.random.default_rng(seed)
    num_classes = 5
    n = int(rng.integers(3, 40))
    # some classes absent from the ground truth, predictions over all
    present = rng.choice(
        num_classes, size=int(rng.integers(1, 5)), replace=False)
    y_true = rng.choice(present, size=n)
    y_pred = rng.integers(0, num_classes, size=n)
    s = me_scores(y_true, y_pred, num_classes)
    assert s['uf1'] == pytest.approx(
        f1_score(y_true, y_pred, average='macro', zero_division=0))
    assert s['uar'] == pytest.approx(
        recall_score(y_true, y_pred, average='macro', zero_division=0))
    assert s['acc'] == pytest.approx(np.mean(y_true == y_pred))
    assert s['num_samples'] == n
    assert s['present_classes'] == sorted(np.unique(y_true).tolist())
    uf1, uar = megc_recognition_evaluation(y_true, y_pred, num_classes)
    assert s['uf1'] == pytest.approx(uf1)
    if set(y_pred) <= set(y_true):  # no predicted-only class
        assert s['uar'] == pytest.approx(uar)
    else:
        assert np.isnan(uar)


def test_class_stats_counts():
    cm = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], 3)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    st = class_stats(cm)
    assert st['tp'].tolist() == [1, 1, 1]
    assert st['fp'].tolist() == [0, 0, 1]
    assert st['fn'].tolist() == [0, 1, 0]
    assert st['f1'].tolist() == pytest.approx([1, 2 / 3, 2 / 3])


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match=r'y_pred\[1\] = 7 is outside'):
        me_scores([0, 1], [0, 7], 3)
    with pytest.raises(ValueError, match='2 labels but y_pred has 3'):
        me_scores([0, 1], [0, 1, 1], 3)
    with pytest.raises(ValueError, match='no samples'):
        me_scores([], [], 3)
    with pytest.raises(ValueError, match='2 class names given for 3'):
        me_scores([0], [0], 3, ['a', 'b'])
