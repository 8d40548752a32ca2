import json
import pickle

import numpy as np
import pytest
import torch
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from mmengine.evaluator import Evaluator
from sklearn.metrics import f1_score, recall_score

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.evaluation import MEMetric

CLASSES = ['negative', 'positive', 'surprise', 'others']


def make_samples(labels, scores, subject='sub01', start=0, meta=True):
    samples = []
    for i, (label, score) in enumerate(zip(labels, scores)):
        s = ActionDataSample()
        s.set_gt_label(int(label))
        s.set_pred_score(torch.as_tensor(score, dtype=torch.float32))
        s.set_pred_label(int(np.argmax(score)))
        if meta:
            s.set_metainfo(
                dict(
                    dataset='casme2',
                    subject=subject,
                    subject_key=subject,
                    clip=f'EP{start + i:02d}',
                    sample_idx=start + i))
        samples.append(s)
    return samples


def evaluate(metric, samples):
    evaluator = Evaluator(metric)
    evaluator.dataset_meta = dict(classes=CLASSES)
    evaluator.process(data_samples=samples)
    return evaluator.evaluate(len(samples))


def test_registered_and_built_from_config():
    metric = METRICS.build(dict(type='MEMetric', out_file='x.json'))
    assert isinstance(metric, MEMetric) and metric.out_file == 'x.json'


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_scores_match_sklearn_with_absent_classes(seed):
    rng = np.random.default_rng(seed)
    n = 25
    labels = rng.choice([0, 1, 3], size=n)  # class 2 absent from the truth
    scores = rng.random((n, len(CLASSES)))
    metrics = evaluate(MEMetric(), make_samples(labels, scores))
    preds = scores.argmax(1)
    assert metrics['megc/uf1'] == pytest.approx(
        f1_score(labels, preds, average='macro', zero_division=0))
    assert metrics['megc/uar'] == pytest.approx(
        recall_score(labels, preds, average='macro', zero_division=0))
    assert metrics['megc/acc'] == pytest.approx(np.mean(labels == preds))
    assert set(metrics) == {'megc/uf1', 'megc/uar', 'megc/acc'}


def test_the_prefix_can_be_set_and_no_warning_is_given(recwarn):
    metrics = evaluate(MEMetric(prefix='fold'),
                       make_samples([0, 1], np.eye(4)[:2]))
    assert set(metrics) == {'fold/uf1', 'fold/uar', 'fold/acc'}
    MEMetric()
    assert not [w for w in recwarn if 'prefix' in str(w.message)]


def test_out_file_holds_every_sample(tmp_path):
    out = tmp_path / 'fold' / 'predictions.json'
    rng = np.random.default_rng(3)
    labels = [0, 1, 2, 3, 1]
    scores = rng.random((5, 4))
    samples = make_samples(labels, scores)
    # the evaluator may receive batches in any order: output is by index
    metrics = evaluate(MEMetric(out_file=str(out)), samples[::-1])
    data = json.loads(out.read_text())
    assert data['classes'] == CLASSES
    assert data['num_samples'] == 5
    # the file keeps the bare names
    assert {f'megc/{k}': v for k, v in data['metrics'].items()
            } == pytest.approx(metrics)
    preds = data['predictions']
    assert [p['sample_idx'] for p in preds] == [0, 1, 2, 3, 4]
    assert [p['label'] for p in preds] == labels
    assert [p['pred'] for p in preds] == scores.argmax(1).tolist()
    assert preds[2]['id'] == 'casme2/sub01/EP02'
    assert preds[2]['subject_key'] == 'sub01'
    assert np.allclose(preds[4]['scores'], scores[4], atol=1e-6)
    assert not [p for p in (tmp_path / 'fold').iterdir() if p != out]


def test_results_are_plain_picklable_types():
    """What BaseMetric.collect_results gathers across ranks."""
    metric = MEMetric()
    metric.process({},
                   [s.to_dict() for s in make_samples([1], [[0, 1, 0, 0]])])
    result = metric.results[0]

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or type(v) in (int, float, str, bool)

    assert plain(result), result
    assert pickle.loads(pickle.dumps(result)) == result


def test_missing_metainfo_is_named_when_writing(tmp_path):
    metric = MEMetric(out_file=str(tmp_path / 'p.json'))
    with pytest.raises(KeyError, match='PackActionInputs'):
        evaluate(metric, make_samples([0, 1], np.eye(4)[:2], meta=False))
    assert not (tmp_path / 'p.json').exists()
    # without out_file the scores are still computed
    metrics = evaluate(MEMetric(),
                       make_samples([0, 1], np.eye(4)[:2], meta=False))
    assert metrics['megc/acc'] == 1.0


def test_score_count_must_match_the_classes():
    with pytest.raises(ValueError, match='3 scores but the dataset has 4'):
        evaluate(MEMetric(), make_samples([0], [[1., 0., 0.]]))
