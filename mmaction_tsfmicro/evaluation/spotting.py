"""The MEGC spotting metric: interval IoU, matching, pooled P/R/F1.

The protocol of the MEGC spotting tasks on the long videos of CAS(ME)^2 and
SAMM (MEGC 2019 to 2022; the baseline of He et al., FG 2020, and its
evaluation code, ``HeyingGithub/Baseline-project-for-MEGC2020_spotting``):

* an interval is a range of frame numbers **inclusive at both ends**,
  ``(onset, offset)``; its length is ``offset - onset + 1`` frames;
* ``IoU(P, G) = |P n G| / |P u G|`` counted in frames (a prediction equal
  to the truth has IoU 1; two intervals sharing one frame of 2 x 10 frames
  have IoU 1/19);
* a predicted interval is a true positive when its IoU with a ground-truth
  interval of the same video is **>= 0.5**; each ground truth is matched at
  most once and each prediction at most once (:func:`match_intervals`, the
  largest such matching); unmatched predictions are false positives,
  unmatched truths false negatives;
* ``TP``, ``FP`` and ``FN`` are **summed over all videos** of the set, then
  ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``, ``F1 =
  2 TP / (2 TP + FP + FN)`` (:func:`spotting_scores`); a video without
  ground truth adds its predictions as false positives.

Two details differ from the baseline's script, on purpose: its IoU adds
one frame of intersection to intervals that do not overlap (the IoU of
``(1, 5)`` and ``(7, 9)`` is 1/9 there, 0 here) and gives 0 to one-frame
intervals; neither changes a match at the 0.5 threshold for the interval
lengths of micro-expressions (7 frames and more). Its precision counts the
truths found, not the predictions matched, which is the same count when no
prediction can match two truths; here the one-to-one matching decides.

Spot-then-recognize: :func:`spotting_scores` also gives the MEGC
recognition scores (UF1, UAR, accuracy, :mod:`.functional`) of the matched
pairs, when predictions and truths carry a label; :func:`strs_scores` gives
MEGC 2023's STRS (spotting F1 x analysis F1).
"""
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

#: An interval of frame numbers, both ends included.
Interval = Tuple[int, int]

#: The IoU at which a prediction matches a truth (MEGC: 0.5).
IOU_THRESHOLD = 0.5


def _check_interval(interval: Sequence[int], what: str) -> Interval:
    if len(interval) != 2:
        raise ValueError(f'{what} must be (onset, offset), got {interval!r}')
    onset, offset = (int(v) for v in interval)
    if offset < onset:
        raise ValueError(f'{what} ends before it starts: ({onset}, '
                         f'{offset})')
    return onset, offset


def interval_length(interval: Sequence[int]) -> int:
    """Frames in an inclusive interval: ``offset - onset + 1``."""
    onset, offset = _check_interval(interval, 'interval')
    return offset - onset + 1


def interval_iou(a: Sequence[int], b: Sequence[int]) -> float:
    """IoU of two inclusive frame intervals, counted in frames.

    Args:
        a (Sequence[int]): ``(onset, offset)``, both ends included.
        b (Sequence[int]): ``(onset, offset)``, both ends included.

    Returns:
        float: In [0, 1].

    Example:
        >>> interval_iou((10, 19), (15, 24))  # 5 shared of 15 frames
        0.3333333333333333
    """
    a0, a1 = _check_interval(a, 'interval a')
    b0, b1 = _check_interval(b, 'interval b')
    inter = max(0, min(a1, b1) - max(a0, b0) + 1)
    union = (a1 - a0 + 1) + (b1 - b0 + 1) - inter
    return inter / union


def iou_matrix(preds: Sequence[Sequence[int]],
               truths: Sequence[Sequence[int]]) -> np.ndarray:
    """IoU of every prediction (rows) with every truth (columns)."""
    out = np.zeros((len(preds), len(truths)), np.float64)
    for i, p in enumerate(preds):
        for j, t in enumerate(truths):
            out[i, j] = interval_iou(p, t)
    return out


def match_intervals(preds: Sequence[Sequence[int]],
                    truths: Sequence[Sequence[int]],
                    iou_threshold: float = IOU_THRESHOLD
                    ) -> List[Tuple[int, int, float]]:
    """Match predictions to truths of one video, one to one.

    A pair can match when its IoU is at least ``iou_threshold``. Among the
    matchings where no prediction and no truth is used twice, the one with
    the most pairs is taken, and among those the one with the largest total
    IoU (the Hungarian algorithm, :func:`scipy.optimize.
    linear_sum_assignment`), so a prediction that covers two truths counts
    once, and two predictions of one truth give one true positive and one
    false positive.

    Args:
        preds (Sequence[Sequence[int]]): Predicted ``(onset, offset)``.
        truths (Sequence[Sequence[int]]): True ``(onset, offset)``.
        iou_threshold (float): The smallest IoU of a match.

    Returns:
        list[tuple[int, int, float]]: ``(prediction index, truth index,
        IoU)`` of each match, by prediction index.
    """
    if not 0 < iou_threshold <= 1:
        raise ValueError(f'iou_threshold must lie in (0, 1], got '
                         f'{iou_threshold}')
    if not len(preds) or not len(truths):
        return []
    from scipy.optimize import linear_sum_assignment
    ious = iou_matrix(preds, truths)
    eligible = ious >= iou_threshold
    if not eligible.any():
        return []
    # a match is worth more than any sum of IoUs, so the count comes first
    big = min(ious.shape) + 1.0
    weight = np.where(eligible, big + ious, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return sorted((int(r), int(c), float(ious[r, c]))
                  for r, c in zip(rows, cols) if eligible[r, c])


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def counts_scores(tp: int, fp: int, fn: int) -> Dict[str, float]:
    """Precision, recall and F1 of pooled counts (0 where undefined)."""
    return dict(precision=tp / (tp + fp) if tp + fp else 0.0,
                recall=tp / (tp + fn) if tp + fn else 0.0,
                f1=_f1(tp, fp, fn))


def _spans(items: Iterable, what: str) -> List[Dict]:
    """Spans as dicts with ``onset``, ``offset`` and an optional ``label``
    (pairs and dicts accepted)."""
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            onset, offset = _check_interval(
                (item['onset'], item['offset']), f'{what}[{i}]')
            label = item.get('label')
        else:
            onset, offset = _check_interval(item[:2], f'{what}[{i}]')
            label = item[2] if len(item) > 2 else None
        out.append(dict(onset=onset, offset=offset,
                        label=None if label is None else int(label)))
    return out


def video_result(preds: Iterable, truths: Iterable,
                 iou_threshold: float = IOU_THRESHOLD) -> Dict:
    """The matches and counts of one video.

    Args:
        preds (Iterable): Predicted spans: ``(onset, offset)`` pairs,
            ``(onset, offset, label)`` triples or dicts with ``onset``,
            ``offset`` and optionally ``label``.
        truths (Iterable): True spans, in the same forms.
        iou_threshold (float): The smallest IoU of a match.

    Returns:
        dict: ``tp``, ``fp``, ``fn`` and ``matches``: for each match the
        prediction and truth indices, the IoU, the onset and offset
        distances (prediction minus truth, frames) and both labels.
    """
    preds = _spans(preds, 'predictions')
    truths = _spans(truths, 'truths')
    pairs = match_intervals([(p['onset'], p['offset']) for p in preds],
                            [(t['onset'], t['offset']) for t in truths],
                            iou_threshold)
    matches = [
        dict(pred=i, truth=j, iou=iou,
             onset_error=preds[i]['onset'] - truths[j]['onset'],
             offset_error=preds[i]['offset'] - truths[j]['offset'],
             pred_label=preds[i]['label'], true_label=truths[j]['label'])
        for i, j, iou in pairs
    ]
    return dict(tp=len(matches), fp=len(preds) - len(matches),
                fn=len(truths) - len(matches), matches=matches)


def spotting_scores(videos: Mapping[str, Tuple[Iterable, Iterable]],
                    iou_threshold: float = IOU_THRESHOLD,
                    num_classes: Optional[int] = None,
                    classes: Optional[Sequence[str]] = None) -> Dict:
    """Pooled spotting scores of a set of videos (the MEGC protocol).

    Args:
        videos (Mapping[str, tuple]): Video id -> ``(predictions,
            truths)``, each an iterable of spans as :func:`video_result`
            takes them. Every video of the set belongs here, those without
            truths or without predictions too.
        iou_threshold (float): The smallest IoU of a match.
        num_classes (int, optional): Classes of the labels; with it, the
            matched pairs whose prediction and truth both carry a label are
            scored as a recognition (``recognition``: UF1, UAR, accuracy of
            :func:`.functional.me_scores`).
        classes (Sequence[str], optional): Class names, for the
            recognition's ``per_class``.

    Returns:
        dict: ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1``
        (pooled), ``num_videos``, ``num_predictions``, ``num_truths``,
        ``videos`` (video id -> :func:`video_result`) and, with
        ``num_classes``, ``recognition`` (None when no labelled pair
        matched).
    """
    per_video = {str(vid): video_result(p, t, iou_threshold)
                 for vid, (p, t) in videos.items()}
    tp = sum(v['tp'] for v in per_video.values())
    fp = sum(v['fp'] for v in per_video.values())
    fn = sum(v['fn'] for v in per_video.values())
    out = dict(tp=tp, fp=fp, fn=fn, **counts_scores(tp, fp, fn),
               num_videos=len(per_video), num_predictions=tp + fp,
               num_truths=tp + fn, videos=per_video)
    if num_classes is not None:
        labelled = [(m['true_label'], m['pred_label'])
                    for v in per_video.values() for m in v['matches']
                    if m['true_label'] is not None
                    and m['pred_label'] is not None]
        if labelled:
            from .functional import me_scores
            y_true, y_pred = zip(*labelled)
            out['recognition'] = me_scores(y_true, y_pred, num_classes,
                                           classes)
        else:
            out['recognition'] = None
    return out


def strs_scores(videos: Mapping[str, Tuple[Iterable, Iterable]],
                num_classes: int,
                iou_threshold: float = IOU_THRESHOLD) -> Dict:
    """The spot-then-recognize score (STRS) of MEGC 2023's STR task.

    ``STRS = F1_spotting x F1_analysis``. Spotting is pooled over the
    videos (:func:`spotting_scores`). The analysis counts, for each class
    ``c``: ``TP_c`` the matched pairs whose predicted and true class are
    both ``c``; ``FP_c`` the predictions of class ``c`` that are not such a
    pair (matched to a truth of another class, or matched to none);
    ``FN_c`` the truths of class ``c`` that are not (missed, or matched by
    a prediction of another class); ``F1_analysis`` is the mean of the
    classes' F1 (a class without truths and without predictions left
    out). Public scripts of the task differ on two points, so both are
    given: whether unmatched predictions count in the analysis
    (``analysis_f1``: yes; ``analysis_f1_matched`` and ``strs_matched``:
    only the matched pairs count, as a recognition of the spotted
    intervals), and the order of matching (here spotting matches first,
    by IoU, one to one, and the classes are compared after).

    Args:
        videos (Mapping[str, tuple]): Video id -> ``(predictions,
            truths)`` as :func:`video_result` takes them; every span
            carries a label.
        num_classes (int): Classes of the labels.
        iou_threshold (float): The smallest IoU of a match.

    Returns:
        dict: ``spotting_f1``, ``analysis_f1``, ``strs``,
        ``analysis_f1_matched``, ``strs_matched`` and ``per_class``
        (``tp``, ``fp``, ``fn``, ``f1`` for each class).
    """
    counts = np.zeros((num_classes, 3), np.int64)  # tp, fp, fn
    matched = np.zeros((num_classes, 3), np.int64)
    tp = fp = fn = 0
    for vid, (preds, truths) in videos.items():
        preds, truths = _spans(preds, 'predictions'), _spans(truths,
                                                             'truths')
        for what, spans in (('prediction', preds), ('truth', truths)):
            for span in spans:
                if span['label'] is None or not 0 <= span['label'] < \
                        num_classes:
                    raise ValueError(f'video {vid}: a {what} has no class '
                                     f'label in 0..{num_classes - 1} '
                                     f"({span['label']!r})")
        result = video_result(preds, truths, iou_threshold)
        tp, fp, fn = tp + result['tp'], fp + result['fp'], fn + result['fn']
        pred_hit, truth_hit = set(), set()
        for m in result['matches']:
            p, t = m['pred_label'], m['true_label']
            if p == t:
                counts[p, 0] += 1
                matched[p, 0] += 1
                pred_hit.add(m['pred'])
                truth_hit.add(m['truth'])
            else:
                matched[p, 1] += 1
                matched[t, 2] += 1
        for i, span in enumerate(preds):
            if i not in pred_hit:
                counts[span['label'], 1] += 1
        for j, span in enumerate(truths):
            if j not in truth_hit:
                counts[span['label'], 2] += 1

    def macro(table):
        f1s = [_f1(*map(int, row)) for row in table if row.sum() > 0]
        return float(np.mean(f1s)) if f1s else 0.0

    spotting_f1 = _f1(tp, fp, fn)
    analysis, analysis_matched = macro(counts), macro(matched)
    return dict(
        spotting_f1=spotting_f1, analysis_f1=analysis,
        strs=spotting_f1 * analysis, analysis_f1_matched=analysis_matched,
        strs_matched=spotting_f1 * analysis_matched,
        per_class=[dict(tp=int(a), fp=int(b), fn=int(c), f1=_f1(a, b, c))
                   for a, b, c in counts.tolist()])
