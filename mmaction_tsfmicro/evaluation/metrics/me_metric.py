"""MEGC metrics (UF1, UAR, accuracy) with per-sample predictions kept."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmaction.registry import METRICS
from ...utils.fileio import write_json
from ..functional import me_scores

#: The metainfo keys of a sample that identify it (see
#: ``PackActionInputs(meta_keys=...)`` in ``configs/_base_/datasets``).
SAMPLE_KEYS = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')


def _plain(value: Any) -> Any:
    """A picklable, JSON-able copy of a metainfo value."""
    if hasattr(value, 'tolist'):
        value = value.tolist()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (np.generic, )):
        value = value.item()
    return value


def _to_int(value: Any, name: str) -> int:
    arr = np.asarray(value.detach().cpu() if hasattr(value, 'detach'
                                                     ) else value).reshape(-1)
    if arr.size != 1:
        raise ValueError(f'MEMetric: {name} must hold one class index, got '
                         f'{arr.size} values (multi-label samples are not '
                         'supported)')
    return int(arr[0])


def sample_id(record: Dict) -> str:
    """``<dataset>/<subject>/<clip>``, or the sample index when unknown."""
    parts = [record.get(k) for k in ('dataset', 'subject', 'clip')]
    if all(p is not None for p in parts):
        return '/'.join(str(p) for p in parts)
    return f"sample_{record.get('sample_idx')}"


@METRICS.register_module()
class MEMetric(BaseMetric):
    """UF1, UAR and accuracy with the MEGC 2019 definitions.

    The scores are computed over every sample the metric is given (for a
    LOSO fold, that fold's test subject); classes absent from those
    samples' ground truth are left out of the means (see
    :mod:`mmaction_tsfmicro.evaluation.functional`). Each sample's
    prediction is kept with its ``dataset``, ``subject``, ``subject_key``,
    ``clip`` and ``sample_idx`` metainfo (put into the data samples by
    ``PackActionInputs(meta_keys=...)``) and, with ``out_file``, written to
    a JSON file so that LOSO folds can be pooled (``tools/loso.py``).

    Results are kept as plain Python types, so they gather across ranks in
    distributed evaluation; only rank 0 computes the scores and writes
    ``out_file`` (atomically).

    Args:
        out_file (str, optional): JSON file for the per-sample predictions
            (``{"classes", "metrics", "predictions"}``). Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``, the device results are
            gathered on across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names in the logs and
            the runner's results. Defaults to ``'megc'`` (``megc/uf1``,
            ``megc/uar``, ``megc/acc``); the ``out_file`` keeps the bare
            names.
        collect_dir (str, optional): Folder for gathering results on CPU
            without a shared memory backend. Defaults to None.
    """

    default_prefix: Optional[str] = 'megc'

    def __init__(self,
                 out_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.out_file = out_file

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Keep each sample's label, prediction, scores and identity.

        Args:
            data_batch: The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model outputs (data samples
                converted to dicts by the evaluator).
        """
        for sample in data_samples:
            if not hasattr(sample, 'get'):
                sample = sample.to_dict()
            if 'gt_label' not in sample or 'pred_score' not in sample:
                raise KeyError('MEMetric: a data sample lacks gt_label or '
                               'pred_score; is the model a recognizer and '
                               'the dataset labelled?')
            score = sample['pred_score']
            if hasattr(score, 'detach'):
                score = score.detach().float().cpu().numpy()
            scores = np.asarray(score, dtype=np.float64).reshape(-1)
            pred = (
                _to_int(sample['pred_label'], 'pred_label')
                if 'pred_label' in sample else int(np.argmax(scores)))
            record = dict(
                label=_to_int(sample['gt_label'], 'gt_label'),
                pred=pred,
                scores=[float(s) for s in scores])
            for key in SAMPLE_KEYS:
                record[key] = _plain(sample.get(key))
            self.results.append(record)

    def _classes(self, num_scores: int) -> List[str]:
        meta = self.dataset_meta or {}
        classes = meta.get('classes')
        if classes is None:
            return [str(i) for i in range(num_scores)]
        classes = [str(c) for c in classes]
        if len(classes) != num_scores:
            raise ValueError(
                f'MEMetric: the model gives {num_scores} scores but the '
                f"dataset has {len(classes)} classes {classes}; check "
                'num_classes of the head')
        return classes

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Compute UF1, UAR and accuracy; write ``out_file`` if set.

        Args:
            results (list[dict]): The records of every rank.

        Returns:
            dict[str, float]: ``uf1``, ``uar`` and ``acc``.
        """
        if not results:
            raise ValueError('MEMetric: no samples were evaluated')
        results = sorted(
            results,
            key=lambda r: (r['sample_idx'] is None, r['sample_idx'] or 0))
        classes = self._classes(len(results[0]['scores']))
        scores = me_scores([r['label'] for r in results],
                           [r['pred'] for r in results], len(classes), classes)
        metrics = {k: scores[k] for k in ('uf1', 'uar', 'acc')}
        if self.out_file:
            self.write_predictions(self.out_file, results, classes, metrics)
        return metrics

    @staticmethod
    def write_predictions(path: str, results: List[Dict],
                          classes: Sequence[str],
                          metrics: Dict[str, float]) -> None:
        """Write per-sample predictions to a JSON file, atomically.

        Args:
            path (str): The output file.
            results (list[dict]): Records made by :meth:`process`.
            classes (Sequence[str]): Class names (the labels index them).
            metrics (dict): Scores over ``results``.

        Raises:
            KeyError: If the samples lack identifying metainfo.
        """
        missing = sorted({
            k
            for r in results
            for k in ('dataset', 'subject', 'subject_key', 'clip',
                      'sample_idx') if r[k] is None
        })
        if missing:
            raise KeyError(
                f'MEMetric: cannot write {path}: the data samples lack '
                f'{missing}; add them to PackActionInputs(meta_keys=...) '
                'of the test pipeline (see configs/_base_/datasets/'
                'me_pipelines.py)')
        predictions = [dict(id=sample_id(r), **r) for r in results]
        write_json(
            path,
            dict(
                classes=list(classes),
                num_samples=len(predictions),
                metrics=metrics,
                predictions=predictions),
            indent=None)
