"""The MEGC spotting metric on per-frame scores of long videos."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

from ...spotting.spans import SpanFinder
from ...utils.fileio import write_json
from ..spotting import IOU_THRESHOLD, spotting_scores, strs_scores


def _array(value: Any) -> Optional[np.ndarray]:
    if value is None:
        return None
    if hasattr(value, 'detach'):
        value = value.detach().float().cpu().numpy()
    return np.asarray(value, np.float64)


def _get(sample: Any, key: str, default: Any = None) -> Any:
    if hasattr(sample, 'get'):
        return sample.get(key, default)
    return getattr(sample, key, default)


@METRICS.register_module()
class SpottingMetric(BaseMetric):
    """Spotting precision, recall and F1 pooled over videos (MEGC).

    Each data sample holds the per-frame scores of a window of a video
    (or of a whole video): ``pred_spot`` (T,) the probability that a frame
    lies in a micro-expression, optionally ``pred_class`` (T, C) class
    probabilities, and in its metainfo ``video`` (an id unique in the
    set), ``frame_inds`` (the T frame numbers) and ``gt_spans`` (every
    true ``[onset, offset, label]`` of the video, frame numbers, both ends
    included). The windows of a video are put back together by frame
    number (frames seen twice take the mean); spans are found on the whole
    video with :class:`~mmaction_tsfmicro.spotting.spans.SpanFinder`
    (``span_finder``), each span's class is the arg-max of its mean class
    probabilities, and the spans are matched to the truths (IoU >= 0.5, one
    to one) and counted over all videos
    (:func:`~mmaction_tsfmicro.evaluation.spotting.spotting_scores`).

    Args:
        span_finder (dict, optional): Keyword arguments of
            :class:`SpanFinder` (``threshold``, ``merge_gap``,
            ``min_length``, ``max_length``, ``smooth``).
        iou_threshold (float): IoU of a match. Defaults to 0.5.
        out_file (str, optional): JSON file for every video's spans, truths
            and matches.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Metric name prefix; ``'spotting'`` by
            default (``spotting/f1``, ...).
        collect_dir (str, optional): Folder for gathering results on CPU.
    """

    default_prefix: Optional[str] = 'spotting'

    def __init__(self,
                 span_finder: Optional[Dict] = None,
                 iou_threshold: float = IOU_THRESHOLD,
                 out_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix,
                         collect_dir=collect_dir)
        self.finder_cfg = dict(span_finder or {})
        SpanFinder(**self.finder_cfg)  # refuse bad rules when built
        self.iou_threshold = float(iou_threshold)
        self.out_file = out_file

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep each window's scores, frame numbers and truths.

        Args:
            data_batch: The batch (unused).
            data_samples (Sequence): The model's outputs.
        """
        for sample in data_samples:
            spot = _array(_get(sample, 'pred_spot'))
            if spot is None:
                raise KeyError('SpottingMetric: a data sample lacks '
                               'pred_spot; is the model a spotter?')
            frames = _get(sample, 'frame_inds')
            video = _get(sample, 'video')
            if frames is None or video is None:
                raise KeyError('SpottingMetric: a data sample lacks video '
                               'or frame_inds in its metainfo; add them to '
                               'PackSpottingInputs(meta_keys=...)')
            frames = np.asarray(frames, np.int64).reshape(-1)
            spot = spot.reshape(-1)
            if len(frames) != len(spot):
                raise ValueError(f'SpottingMetric: {video}: {len(spot)} '
                                 f'scores for {len(frames)} frames')
            cls = _array(_get(sample, 'pred_class'))
            self.results.append(dict(
                video=str(video),
                frames=frames.tolist(),
                spot=spot.tolist(),
                cls=None if cls is None else cls.reshape(len(spot),
                                                         -1).tolist(),
                gt_spans=[[int(v) for v in s]
                          for s in (_get(sample, 'gt_spans') or [])]))

    @staticmethod
    def stitch(windows: List[Dict]) -> Dict:
        """One video's windows as whole-video arrays by frame number.

        Args:
            windows (list[dict]): Records of :meth:`process` of one video.

        Returns:
            dict: ``first_frame``, ``spot`` (F,) and ``cls`` (F, C) or
            None, over the frames from the first to the last one seen
            (frames no window holds score 0).
        """
        first = min(min(w['frames']) for w in windows)
        last = max(max(w['frames']) for w in windows)
        n = last - first + 1
        spot = np.zeros(n)
        count = np.zeros(n)
        has_cls = all(w['cls'] is not None for w in windows)
        cls = np.zeros((n, len(windows[0]['cls'][0]))) if has_cls else None
        for w in windows:
            idx = np.asarray(w['frames']) - first
            np.add.at(spot, idx, w['spot'])
            np.add.at(count, idx, 1)
            if has_cls:
                np.add.at(cls, idx, np.asarray(w['cls']))
        seen = count > 0
        spot[seen] /= count[seen]
        if has_cls:
            cls[seen] /= count[seen, None]
        return dict(first_frame=int(first), spot=spot, cls=cls)

    def video_spans(self, results: List[Dict]) -> Dict[str, Dict]:
        """Found spans and truths of every video.

        Args:
            results (list[dict]): Records of :meth:`process`.

        Returns:
            dict: Video id -> ``spans`` (dicts with ``onset``, ``offset``,
            ``score``, ``label``, ``class_scores``) and ``truths``.
        """
        by_video: Dict[str, List[Dict]] = {}
        for rec in results:
            by_video.setdefault(rec['video'], []).append(rec)
        finder = SpanFinder(**self.finder_cfg)
        out = {}
        for video in sorted(by_video):
            windows = by_video[video]
            whole = self.stitch(windows)
            spans = []
            for span in finder.find(whole['spot'], whole['first_frame'],
                                    whole['cls']):
                rec = dict(onset=span.onset, offset=span.offset,
                           score=span.score, label=None)
                if span.extra is not None:
                    rec['label'] = int(np.argmax(span.extra))
                    rec['class_scores'] = [float(v) for v in span.extra]
                spans.append(rec)
            truths = {tuple(s) for w in windows for s in w['gt_spans']}
            truths = [dict(onset=s[0], offset=s[1],
                           label=s[2] if len(s) > 2 else None)
                      for s in sorted(truths)]
            out[video] = dict(spans=spans, truths=truths)
        return out

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Pooled P/R/F1 (and the recognition of the matched spans).

        Args:
            results (list[dict]): The records of every rank.

        Returns:
            dict[str, float]: ``precision``, ``recall``, ``f1``, ``tp``,
            ``fp``, ``fn`` and, with class scores, ``str_uf1``,
            ``str_uar``, ``str_acc`` (the classes of the true positives)
            and MEGC 2023's ``strs`` with its ``analysis_f1`` (and the
            variant over the matched pairs only, ``strs_matched``;
            :func:`~mmaction_tsfmicro.evaluation.spotting.strs_scores`).
        """
        if not results:
            raise ValueError('SpottingMetric: no samples were evaluated')
        videos = self.video_spans(results)
        classes = (self.dataset_meta or {}).get('classes')
        num_classes = len(classes) if classes else None
        scores = spotting_scores(
            {v: (d['spans'], d['truths']) for v, d in videos.items()},
            self.iou_threshold, num_classes, classes)
        metrics = {k: scores[k] for k in ('precision', 'recall', 'f1')}
        metrics.update({k: float(scores[k]) for k in ('tp', 'fp', 'fn')})
        rec = scores.get('recognition')
        if rec is not None:
            metrics.update(str_uf1=rec['uf1'], str_uar=rec['uar'],
                           str_acc=rec['acc'])
        labelled = all(s.get('label') is not None for d in videos.values()
                       for s in d['spans'] + d['truths'])
        if num_classes and labelled:
            strs = strs_scores(
                {v: (d['spans'], d['truths']) for v, d in videos.items()},
                num_classes, self.iou_threshold)
            metrics.update({k: strs[k] for k in (
                'analysis_f1', 'strs', 'analysis_f1_matched',
                'strs_matched')})
        if self.out_file:
            write_json(self.out_file, dict(
                classes=list(classes) if classes else None,
                span_finder=SpanFinder(**self.finder_cfg).config(),
                iou_threshold=self.iou_threshold,
                metrics=metrics,
                videos={v: dict(d, matches=scores['videos'][v]['matches'])
                        for v, d in videos.items()}))
        return metrics
