"""Span finding: threshold, merged gaps, lengths; online equals offline."""
import numpy as np
import pytest

from mmaction_tsfmicro.spotting import SpanFinder


def on_off(pattern):
    """'..xxx..' -> scores 0/1."""
    return [1.0 if c == 'x' else 0.0 for c in pattern]


def spans_of(finder, scores, **kwargs):
    return [(s.onset, s.offset) for s in finder.find(scores, **kwargs)]


def online(finder, scores, first_frame=0, extra=None):
    finder.reset()
    out = []
    for i, score in enumerate(scores):
        out += finder.update(score, first_frame + i,
                             None if extra is None else extra[i])
    return out + finder.flush()


def test_threshold_and_lengths():
    finder = SpanFinder(threshold=0.5, merge_gap=0, min_length=3,
                        max_length=5)
    scores = on_off('xx..xxx..xxxxx..xxxxxx.')
    assert spans_of(finder, scores) == [(4, 6), (9, 13)]
    # the threshold is inclusive
    assert spans_of(SpanFinder(0.5, 0, 1, None), [0.49, 0.5, 0.51]) == [(1,
                                                                         2)]


def test_gaps_shorter_than_merge_gap_are_merged():
    scores = on_off('xxx..xxx...xxx')  # gaps of 2 then 3 frames
    finder = SpanFinder(threshold=0.5, merge_gap=3, min_length=1,
                        max_length=None)
    assert spans_of(finder, scores) == [(0, 7), (11, 13)]
    finder = SpanFinder(threshold=0.5, merge_gap=4, min_length=1,
                        max_length=None)
    assert spans_of(finder, scores) == [(0, 13)]
    # merged spans are kept or dropped by their whole length
    finder = SpanFinder(threshold=0.5, merge_gap=3, min_length=1,
                        max_length=7)
    assert spans_of(finder, scores) == [(11, 13)]


def test_scores_smoothing_first_frame_and_class_means():
    finder = SpanFinder(threshold=0.5, merge_gap=0, min_length=1,
                        max_length=None, smooth=2)
    # trailing means: 0, .4, .8, .8, .4, 0
    spans = finder.find([0, 0.8, 0.8, 0.8, 0, 0], first_frame=100,
                        extra=np.array([[1, 0], [1, 0], [0, 1], [0, 1],
                                        [0, 1], [0, 1]], float))
    assert [(s.onset, s.offset) for s in spans] == [(102, 103)]
    assert spans[0].score == pytest.approx(0.8)
    np.testing.assert_allclose(spans[0].extra, [0, 1])
    assert spans[0].to_dict()['length'] == 2


@pytest.mark.parametrize('seed', range(6))
def test_online_equals_offline(seed):
    rng = np.random.default_rng(seed)
    scores = np.clip(
        np.convolve(rng.random(300), np.ones(4) / 4, mode='same') +
        rng.normal(0, 0.1, 300), 0, 1)
    extra = rng.random((300, 3))
    finder = SpanFinder(threshold=float(rng.uniform(0.45, 0.6)),
                        merge_gap=int(rng.integers(0, 5)),
                        min_length=int(rng.integers(1, 4)),
                        max_length=int(rng.integers(5, 20)),
                        smooth=int(rng.integers(1, 4)))
    offline = finder.find(scores, first_frame=7, extra=extra)
    assert offline, 'the case should hold spans'
    streamed = online(finder, scores, first_frame=7, extra=extra)
    assert [(s.onset, s.offset) for s in streamed] == [
        (s.onset, s.offset) for s in offline]
    for a, b in zip(streamed, offline):
        assert a.score == pytest.approx(b.score)
        np.testing.assert_allclose(a.extra, b.extra)


def test_online_reports_a_span_once_no_run_can_join_it():
    finder = SpanFinder(threshold=0.5, merge_gap=3, min_length=1,
                        max_length=None)
    reported = {}
    for frame, score in enumerate(on_off('xxxx......')):
        for span in finder.update(score, frame):
            reported[frame] = (span.onset, span.offset)
    # last on frame 3; frames 4, 5, 6 off: a run at 7 could no longer join
    assert reported == {6: (0, 3)}
    with pytest.raises(ValueError, match='follow each other'):
        finder.update(1.0, 20)


def test_bad_rules_are_refused():
    with pytest.raises(ValueError, match='max_length'):
        SpanFinder(max_length=3, min_length=5)
    with pytest.raises(ValueError, match='merge_gap'):
        SpanFinder(merge_gap=-1)
