"""Micro-expressions found in a video nobody annotated, and classified.

:func:`spot_and_recognize` runs the spotter over a video file
(:class:`~.streaming.StreamSpotter`) and classifies each span it finds with
a recognizer from the span's own frames (:class:`SpanRecognizer`: the face
aligned as the recognizer's training frames were, the apex estimated);
:func:`str_evaluation` scores the classified spans against a spotting
file's truth (spotting F1 and MEGC 2023's STRS). ``tools/infer.py VIDEO``
(no key frames) and ``tools/analysis_tools/spot_then_recognize.py`` are the
command lines.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from ..evaluation.spotting import counts_scores, video_result
from .streaming import StreamSpotter, VideoSink, run_stream


class SpanRecognizer:
    """Classify a span's frames with a recognizer: the face aligned as the
    recognizer's training frames were and tracked from the span's first
    frame, the apex estimated (:class:`~mmaction_tsfmicro.datasets.
    transforms.LoadClipKeyFrames`), the recognizer's test pipeline.

    Args:
        model (torch.nn.Module): A recognizer from :func:`~mmaction_tsfmicro.
            apis.inference.init_model` whose checkpoint records its face
            preprocessing.
        name (str): The video in messages.
        max_motion (float, optional): Head motion (pixels of the crop)
            beyond which a span's frames are stabilized, with a warning.
        onset_pad (int): Frames before the span's first frame that the
            clip starts with (the spotter finds a span a frame or two after
            its onset; the recognizer's onset frame is its reference).
    """

    def __init__(self, model: torch.nn.Module, name: str = 'the video',
                 max_motion: Optional[float] = None, onset_pad: int = 0):
        from ..datasets.transforms.clip_key_frames import LoadClipKeyFrames
        from .inference import ClipError, pipeline_after_loading
        if not getattr(model, 'preprocessing', None):
            raise ClipError('the recognizer\'s checkpoint records no face '
                            'preprocessing, so the spans cannot be aligned '
                            'as its training frames were')
        self.model = model
        self.name = name
        self.onset_pad = int(onset_pad)
        self.loader = LoadClipKeyFrames(face_alignment=model.preprocessing,
                                        max_motion=max_motion,
                                        log_warnings=False)
        self.pipeline = pipeline_after_loading(model.cfg)
        self.classes = list((getattr(model, 'dataset_meta', None)
                             or {}).get('classes') or [])

    @torch.no_grad()
    def __call__(self, frames: Sequence[np.ndarray], first: int) -> Dict:
        """Classify the frames ``first, first + 1, ...`` of a span.

        Returns:
            dict: ``apex`` (the estimated apex frame), ``emotion``,
            ``label``, ``class_score``, ``class_scores``, ``residual_px``
            and ``warnings``; when the face cannot be aligned (none on the
            first frame) only ``apex`` and ``residual_px`` (None) and a
            warning, and the spotter's class stays.
        """
        from mmengine.dataset import pseudo_collate
        try:
            data = self.loader.pair(self.name,
                                    list(range(first, first + len(frames))),
                                    list(frames), False, False)
        except ValueError as e:  # no face on the span's first frame
            return dict(apex=None, residual_px=None, warnings=[
                f"{e}; the spotter's class is kept"])
        data.update(modality='RGB', label=-1)
        meta = dict(apex=int(data['key_frames']['apex']),
                    residual_px=data['alignment']['residual_px'],
                    warnings=data['warnings'])
        data = self.pipeline(data)
        result = self.model.test_step(pseudo_collate([data]))[0]
        scores = result.pred_score.detach().float().cpu().numpy()
        label = int(np.argmax(scores))
        meta.update(
            label=label,
            emotion=self.classes[label] if self.classes else str(label),
            class_score=round(float(scores[label]), 4),
            class_scores=[round(float(v), 4) for v in scores])
        return meta


def spot_and_recognize(video: str,
                       spotter: torch.nn.Module,
                       recognizer: Optional[torch.nn.Module] = None,
                       span_finder: Optional[Dict] = None,
                       max_motion: Optional[float] = None,
                       out_video: Optional[str] = None,
                       onset_pad: int = 0) -> Dict:
    """Find the micro-expressions of a video file and classify each.

    Args:
        video (str): The video file.
        spotter (torch.nn.Module): A ``MicroExpressionSpotter`` from
            :func:`~mmaction_tsfmicro.apis.inference.init_model`; its
            config's ``face_alignment`` and ``span_finder`` are used.
        recognizer (torch.nn.Module, optional): Classifies each span from
            its frames (:class:`SpanRecognizer`); without it the spotter's
            classes are kept.
        span_finder (dict, optional): Settings that replace the config's.
        max_motion (float, optional): See :class:`SpanRecognizer`.
        out_video (str, optional): Write the video with the spans drawn.
        onset_pad (int): See :class:`SpanRecognizer`.

    Returns:
        dict: ``spans``, ``frames``, ``first_face_frame``, ``fps``,
        ``seconds``, ``span_finder`` and ``classes``.
    """
    import time

    from ..preprocessing.video import iter_frames, video_fps
    cfg = spotter.cfg
    if 'face_alignment' not in cfg or not callable(
            getattr(spotter, 'step', None)):
        raise ValueError('not a spotter: its config has no face_alignment, '
                         'or its model no streaming form (step)')
    finder = dict(cfg.get('span_finder') or {}, **(span_finder or {}))
    fps = video_fps(video) or 30.0
    span_recognizer = None if recognizer is None else SpanRecognizer(
        recognizer, osp.basename(video), max_motion, onset_pad)
    stream = StreamSpotter(spotter, dict(cfg.face_alignment), finder,
                           (spotter.dataset_meta or {}).get('classes'), fps,
                           recognizer=span_recognizer)
    sink = VideoSink(out_video, fps, stream.finder, []) if out_video \
        else None
    t0 = time.perf_counter()
    try:
        spans = run_stream(iter_frames(video), stream, sink)
    finally:
        stream.close()
    frames = stream.index + 1
    if stream.first_face is None:
        raise ValueError(f'{video}: no face found in {frames} frames')
    return dict(spans=spans, frames=frames,
                first_face_frame=stream.first_face, fps=fps,
                seconds=round(time.perf_counter() - t0, 3),
                span_finder=stream.finder.config(),
                classes=span_recognizer.classes if span_recognizer else
                stream.classes)


def str_evaluation(videos: Dict[str, Tuple[Sequence[Dict], Dict]],
                   classes: Sequence[str]) -> Dict:
    """Spot-then-recognize scores of classified spans, pooled over videos.

    Args:
        videos (dict): Video -> ``(spans, truth)``: the spans of
            :func:`spot_and_recognize` and the video's
            :func:`~mmaction_tsfmicro.spotting.truth.video_truth`.
        classes (Sequence[str]): The recognizer's classes, which must be
            the truth's.

    Returns:
        dict: :func:`~mmaction_tsfmicro.evaluation.spotting.strs_scores`
        of the spans' classes, ``spotter_strs`` (the same with the
        spotter's own classes) and ``spotter_analysis_f1``; empty when the
        truth's classes are not the recognizer's.
    """
    from ..evaluation.spotting import strs_scores
    classes = list(classes)
    if any(list(t.get('classes') or classes) != classes
           for _, t in videos.values()):
        return {}
    ours = {v: ([(s['onset'], s['offset'], s['label']) for s in spans],
                t['truths']) for v, (spans, t) in videos.items()}
    theirs = {v: ([(s['onset'], s['offset'],
                    classes.index(s.get('spotter_emotion', s['emotion'])))
                   for s in spans], t['truths'])
              for v, (spans, t) in videos.items()}
    out = strs_scores(ours, len(classes))
    spotter = strs_scores(theirs, len(classes))
    out.update(spotter_strs=spotter['strs'],
               spotter_analysis_f1=spotter['analysis_f1'])
    return out


def evaluate_spans(truth: dict, spans: Sequence[Dict]) -> dict:
    """The spans of a stream against its truth (:func:`video_truth`), each
    match printed; returns the counts, precision, recall and F1."""
    found = [(s['onset'], s['offset'], s.get('label')) for s in spans]
    result = video_result(found, truth['truths'])
    classes = truth.get('classes') or []
    for m in result['matches']:
        onset, offset, label = truth['truths'][m['truth']]
        name = classes[label] if label < len(classes) else str(label)
        guess = spans[m['pred']].get('emotion', '?')
        print(f"span {spans[m['pred']]['number']} finds the truth "
              f'{onset}-{offset} ({name}): onset {m["onset_error"]:+d}, '
              f'offset {m["offset_error"]:+d} frames, IoU {m["iou"]:.2f}, '
              f"class {guess} ({'right' if guess == name else 'wrong'})")
    scores = counts_scores(result['tp'], result['fp'], result['fn'])
    print(f"truth: {len(truth['truths'])} intervals; TP {result['tp']}, "
          f"FP {result['fp']}, FN {result['fn']}; precision "
          f"{scores['precision']:.3f}, recall {scores['recall']:.3f}, F1 "
          f"{scores['f1']:.3f}")
    return dict(result, **scores, truths=truth['truths'])
