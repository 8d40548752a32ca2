"""The MEGC spotting metric, on cases computed by hand."""
import pytest

from mmaction_tsfmicro.evaluation.spotting import (interval_iou,
                                                   interval_length,
                                                   match_intervals,
                                                   spotting_scores,
                                                   video_result)


@pytest.mark.parametrize('a,b,iou', [
    ((1, 10), (1, 10), 1.0),
    ((1, 10), (11, 20), 0.0),  # adjacent: no shared frame
    ((1, 10), (10, 19), 1 / 19),  # one shared frame of 19
    ((10, 19), (15, 24), 5 / 15),
    ((5, 5), (5, 5), 1.0),  # one-frame intervals count
    ((1, 5), (7, 9), 0.0),
    ((1, 20), (6, 10), 5 / 20),  # one inside the other
])
def test_interval_iou_counts_inclusive_frames(a, b, iou):
    assert interval_iou(a, b) == pytest.approx(iou)
    assert interval_iou(b, a) == pytest.approx(iou)


def test_interval_length_and_bad_intervals():
    assert interval_length((7, 13)) == 7
    with pytest.raises(ValueError, match='ends before it starts'):
        interval_iou((10, 5), (1, 3))
    with pytest.raises(ValueError, match='onset, offset'):
        interval_iou((1, 2, 3, 4), (1, 3))


@pytest.mark.parametrize('pred,hit', [
    ((1, 5), True),  # 5 of 10 frames: IoU exactly 0.5 counts
    ((1, 4), False),  # 4 / 10
    ((4, 13), True),  # 7 / 13 = 0.538
    ((5, 14), False),  # 6 / 14 = 0.429
    ((0, 10), True),  # 10 / 11
])
def test_iou_just_under_and_over_half(pred, hit):
    result = video_result([pred], [(1, 10)])
    assert (result['tp'], result['fp'], result['fn']) == (
        (1, 0, 0) if hit else (0, 1, 1))


def test_no_hits():
    scores = spotting_scores(
        {'v1': ([(100, 110), (200, 210)], [(1, 10)]),
         'v2': ([], [(50, 60)])})
    assert (scores['tp'], scores['fp'], scores['fn']) == (0, 2, 2)
    assert scores['precision'] == scores['recall'] == scores['f1'] == 0.0


def test_exact_hits():
    truths = [(10, 20), (40, 47)]
    scores = spotting_scores({'v': (truths, truths)})
    assert (scores['tp'], scores['fp'], scores['fn']) == (2, 0, 0)
    assert scores['precision'] == scores['recall'] == scores['f1'] == 1.0
    assert [m['iou'] for m in scores['videos']['v']['matches']] == [1, 1]


def test_one_prediction_against_two_truths_counts_once():
    # (1, 10) has IoU 5 / 10 = 0.5 with both halves
    assert interval_iou((1, 10), (1, 5)) == interval_iou((1, 10), (6, 10))
    result = video_result([(1, 10)], [(1, 5), (6, 10)])
    assert (result['tp'], result['fp'], result['fn']) == (1, 0, 1)


def test_two_predictions_of_one_truth():
    result = video_result([(1, 10), (2, 11)], [(1, 10)])
    assert (result['tp'], result['fp'], result['fn']) == (1, 1, 0)
    assert result['matches'][0]['pred'] == 0  # the better IoU


def test_matching_finds_the_most_pairs_not_the_greedy_ones():
    # P1-T1 has the best IoU (0.9), but taking it leaves P2 unmatched;
    # P1-T2 (16 / 22) and P2-T1 (10 / 20) match both
    preds, truths = [(1, 18), (1, 10)], [(1, 20), (3, 22)]
    assert interval_iou(preds[0], truths[0]) == pytest.approx(0.9)
    assert interval_iou(preds[1], truths[1]) < 0.5
    pairs = match_intervals(preds, truths)
    assert [(p, t) for p, t, _ in pairs] == [(0, 1), (1, 0)]


def test_empty_videos_and_pooling_over_videos():
    scores = spotting_scores({
        'hit': ([(1, 10)], [(1, 10)]),
        'false_alarms': ([(1, 8), (30, 40), (60, 70)], []),
        'missed': ([], [(5, 12)]),
        'nothing': ([], []),
    })
    assert (scores['tp'], scores['fp'], scores['fn']) == (1, 3, 1)
    assert scores['num_videos'] == 4
    assert scores['precision'] == pytest.approx(1 / 4)
    assert scores['recall'] == pytest.approx(1 / 2)
    # 2 TP / (2 TP + FP + FN), not the mean of the videos' F1 (0.25)
    assert scores['f1'] == pytest.approx(2 / (2 + 3 + 1))
    assert scores['videos']['nothing'] == dict(tp=0, fp=0, fn=0, matches=[])
    empty = spotting_scores({'a': ([], []), 'b': ([], [])})
    assert empty['f1'] == empty['precision'] == empty['recall'] == 0.0


def test_errors_and_recognition_of_the_matched_spans():
    preds = [dict(onset=12, offset=20, label=1), (40, 48, 0), (90, 99, 2)]
    truths = [(10, 20, 1), (40, 47, 2)]
    scores = spotting_scores({'v': (preds, truths)}, num_classes=3,
                             classes=['a', 'b', 'c'])
    matches = scores['videos']['v']['matches']
    assert [(m['onset_error'], m['offset_error']) for m in matches] == [
        (2, 0), (0, 1)]
    rec = scores['recognition']
    assert rec['num_samples'] == 2 and rec['acc'] == 0.5
    assert spotting_scores({'v': ([(1, 9)], [(1, 9)])},
                           num_classes=3)['recognition'] is None


def test_strs_counts_every_prediction_and_truth_by_class():
    """Two videos, three classes, counted by hand.

    v1: truths (10-20, c0), (40-50, c1); predictions (11-20, c0) matches
    the first with the right class, (40-49, c2) the second with a wrong
    one, (70-80, c1) matches nothing. v2: truth (5-15, c2) is missed;
    prediction (30-40, c0) matches nothing.
    Spotting: TP 2, FP 2, FN 1 -> F1 4/7.
    Analysis, all predictions: c0 TP 1 FP 1 FN 0 -> 2/3; c1 TP 0 FP 1 FN 1
    -> 0; c2 TP 0 FP 1 FN 1 -> 0; mean 2/9.
    Matched pairs only: c0 TP 1 -> 1; c1 FN 1 -> 0; c2 FP 1 -> 0; 1/3.
    """
    from mmaction_tsfmicro.evaluation.spotting import strs_scores
    videos = dict(
        v1=([(11, 20, 0), (40, 49, 2), (70, 80, 1)],
            [(10, 20, 0), (40, 50, 1)]),
        v2=([(30, 40, 0)], [(5, 15, 2)]))
    s = strs_scores(videos, 3)
    assert s['spotting_f1'] == pytest.approx(4 / 7)
    assert s['analysis_f1'] == pytest.approx(2 / 9)
    assert s['strs'] == pytest.approx(4 / 7 * 2 / 9)
    assert s['analysis_f1_matched'] == pytest.approx(1 / 3)
    assert s['strs_matched'] == pytest.approx(4 / 7 / 3)
    assert s['per_class'][0] == dict(tp=1, fp=1, fn=0, f1=pytest.approx(
        2 / 3))
    # all right: STRS equals the spotting F1
    perfect = strs_scores(dict(v=([(0, 9, 1)], [(0, 9, 1)])), 3)
    assert perfect['strs'] == 1.0 and perfect['analysis_f1'] == 1.0
    with pytest.raises(ValueError, match='video v: a prediction has no '
                       r'class label in 0..2 \(None\)'):
        strs_scores(dict(v=([(0, 9)], [(0, 9, 1)])), 3)
