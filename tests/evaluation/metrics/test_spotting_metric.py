"""SpottingMetric: windows put back together, spans found, pooled F1."""
import json

import numpy as np
import pytest
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import Evaluator

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.evaluation.metrics import SpottingMetric

CLASSES = ['happiness', 'surprise']
FINDER = dict(threshold=0.5, merge_gap=2, min_length=3, max_length=12)


def window(video, start, spot, cls=None, truths=()):
    sample = dict(pred_spot=torch.tensor(spot, dtype=torch.float32),
                  video=video, frame_inds=list(range(start,
                                                     start + len(spot))),
                  gt_spans=[list(t) for t in truths])
    if cls is not None:
        sample['pred_class'] = torch.tensor(cls, dtype=torch.float32)
    return sample


def evaluate(metric, samples):
    evaluator = Evaluator(metric)
    evaluator.dataset_meta = dict(classes=CLASSES)
    evaluator.process(data_samples=samples)
    return evaluator.evaluate(len(samples))


def scores_with(length, spans, value=0.9):
    out = np.zeros(length)
    for onset, offset in spans:
        out[onset:offset + 1] = value
    return out


def test_registered():
    metric = METRICS.build(dict(type='SpottingMetric', span_finder=FINDER))
    assert isinstance(metric, SpottingMetric)
    with pytest.raises(ValueError, match='max_length'):
        SpottingMetric(span_finder=dict(min_length=9, max_length=4))


def test_windows_of_a_video_are_joined_before_spans_are_found(tmp_path):
    # video a: frames 1..40; truths 10-17 (class 0) and 30-36 (class 1);
    # the scores of frames 10-17 are split over two windows
    spot = scores_with(41, [(10, 17), (29, 36)])
    cls = np.zeros((41, 2))
    cls[:, 0] = 1
    cls[25:, :] = [0.2, 0.8]
    truths = [(10, 17, 0), (30, 36, 1)]
    samples = [window('a', 1, spot[1:15], cls[1:15], truths),
               window('a', 11, spot[11:41], cls[11:41], truths),
               # video b: one false alarm, one missed truth
               window('b', 1, scores_with(30, [(3, 8)])[1:],
                      np.tile([[0.6, 0.4]], (29, 1)), [(20, 26, 0)])]
    out_file = tmp_path / 'spots.json'
    metrics = evaluate(SpottingMetric(FINDER, out_file=str(out_file)),
                       samples)
    assert metrics['spotting/tp'] == 2 and metrics['spotting/fp'] == 1
    assert metrics['spotting/fn'] == 1
    assert metrics['spotting/precision'] == pytest.approx(2 / 3)
    assert metrics['spotting/recall'] == pytest.approx(2 / 3)
    assert metrics['spotting/f1'] == pytest.approx(4 / 6)
    assert metrics['spotting/str_acc'] == 1.0  # both true positives
    record = json.loads(out_file.read_text())
    assert record['classes'] == CLASSES
    assert record['span_finder']['min_length'] == 3
    spans = record['videos']['a']['spans']
    assert [(s['onset'], s['offset'], s['label']) for s in spans] == [
        (10, 17, 0), (29, 36, 1)]
    assert record['videos']['b']['truths'] == [
        dict(onset=20, offset=26, label=0)]
    assert [m['iou'] for m in record['videos']['a']['matches']] == [
        1.0, pytest.approx(7 / 8)]


def test_a_video_without_truths_counts_its_spans_as_false_positives():
    samples = [window('quiet', 1, scores_with(20, [(4, 9)]))]
    metrics = evaluate(SpottingMetric(FINDER), samples)
    assert (metrics['spotting/tp'], metrics['spotting/fp'],
            metrics['spotting/fn']) == (0, 1, 0)
    assert metrics['spotting/f1'] == 0.0
    assert 'spotting/str_acc' not in metrics  # no class scores given


def test_samples_without_scores_or_identity_are_refused():
    metric = SpottingMetric(FINDER)
    with pytest.raises(KeyError, match='pred_spot'):
        metric.process(None, [dict(video='a', frame_inds=[1])])
    with pytest.raises(KeyError, match='frame_inds'):
        metric.process(None, [dict(pred_spot=torch.zeros(3))])
    with pytest.raises(ValueError, match='3 scores for 2 frames'):
        metric.process(None, [dict(pred_spot=torch.zeros(3), video='a',
                                   frame_inds=[1, 2])])
