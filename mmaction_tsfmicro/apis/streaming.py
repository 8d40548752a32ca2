"""Spotting micro-expressions in a live video, one frame at a time.

:class:`StreamSpotter` joins the three online parts, each with a state of
constant size:

1. :class:`~mmaction_tsfmicro.preprocessing.alignment.tracking.FaceTracker` aligns
   the face of each frame as the training frames were aligned (the
   config's ``face_alignment``: detected on the first frame, then tracked);
2. the spotter's recurrent form (:meth:`~mmaction_tsfmicro.models.
   recognizers.MicroExpressionSpotter.step`) gives the frame's spotting
   probability and class probabilities, equal to what the parallel form
   gives on the whole video;
3. :class:`~mmaction_tsfmicro.spotting.spans.SpanFinder` (the config's
   ``span_finder``) turns the probabilities into spans online; a span is
   reported once it cannot grow any more, with its class (the arg-max of
   its mean class probabilities) and scores.

Frames before the face is first found are skipped (their index counts).
With a :class:`SpanRecognizer` each span is also classified by a
recognizer (TSFmicro) from its own frames, kept in a queue of constant
size. ``tools/stream.py`` and ``tools/infer.py VIDEO`` (no key frames) are
the command lines.
"""
import os.path as osp
from collections import deque
from dataclasses import dataclass, field
from typing import (Any, Callable, Dict, Iterable, List, Optional,
                    Sequence, Tuple)

import cv2
import numpy as np
import torch

from ..evaluation.spotting import counts_scores, video_result
from ..preprocessing.alignment.tracking import FaceTracker
from ..preprocessing.alignment.videos import split_settings
from ..spotting.spans import Span, SpanFinder
from ..utils.fileio import atomic_path


@dataclass
class FrameResult:
    """What one frame gave.

    Args:
        index (int): The frame's index in the stream (0-based).
        score (float, optional): Its spotting probability (None: no face
            yet).
        class_scores (np.ndarray, optional): Its class probabilities.
        status (str): How the face was found (``detected``, ``tracked``,
            ``redetected``, ``held``) or ``'no face'``.
        spans (list[dict]): Spans reported at this frame.
    """

    index: int
    score: Optional[float]
    class_scores: Optional[np.ndarray]
    status: str
    spans: List[Dict] = field(default_factory=list)


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
        from .inference import ClipError, _test_pipeline
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
        self.pipeline = _test_pipeline(model.cfg)
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


class StreamSpotter:
    """Online spotting on frames given one by one (see the module).

    Args:
        model (torch.nn.Module): A ``MicroExpressionSpotter`` in eval mode.
        face_alignment (dict): The alignment settings (the config's
            ``face_alignment``).
        span_finder (dict): :class:`SpanFinder` arguments.
        classes (Sequence[str], optional): Class names.
        fps (float): Frame rate, for the spans' times.
        detector (Any, optional): A landmark detector to use instead of the
            one ``face_alignment`` names.
        recognizer (SpanRecognizer, optional): Classifies each span from
            its frames; its class replaces the spotter's (kept as
            ``spotter_emotion``, ``spotter_class_score``).
    """

    def __init__(self,
                 model: torch.nn.Module,
                 face_alignment: Dict,
                 span_finder: Dict,
                 classes: Optional[Sequence[str]] = None,
                 fps: float = 30.0,
                 detector: Any = None,
                 recognizer: Optional[SpanRecognizer] = None) -> None:
        self.model = model
        settings = split_settings(face_alignment)
        if detector is not None:
            settings['detector'] = detector
        self.size = int(settings['target'].get('size', 224))
        self.tracker = FaceTracker(**settings)
        self.finder = SpanFinder(**span_finder)
        self.classes = list(classes) if classes else None
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.recognizer = recognizer
        # a span is reported at most merge_gap + smooth frames after its
        # end: its frames are still in a queue this long
        longest = self.finder.max_length or 300
        self._frames: deque = deque(
            maxlen=longest + self.finder.merge_gap + self.finder.smooth + 2 +
            recognizer.onset_pad if recognizer is not None else 0)
        self.reset()

    def reset(self) -> None:
        """Start a new stream."""
        self.tracker.reset()
        self.finder.reset()
        self.state = self.model.init_state(1)
        self.index = -1
        self.first_face: Optional[int] = None
        self.spans: List[Dict] = []
        self._frames.clear()

    def close(self) -> None:
        """Release the face detector."""
        self.tracker.close()

    def _span_record(self, span: Span) -> Dict:
        rec = dict(number=len(self.spans) + 1, onset=int(span.onset),
                   offset=int(span.offset), length=span.length,
                   onset_time=round(span.onset / self.fps, 3),
                   offset_time=round(span.offset / self.fps, 3),
                   score=round(float(span.score), 4))
        if span.extra is not None:
            label = int(np.argmax(span.extra))
            rec.update(label=label,
                       emotion=self.classes[label] if self.classes else
                       str(label),
                       class_score=round(float(span.extra[label]), 4),
                       class_scores=[round(float(v), 4)
                                     for v in span.extra])
        return rec

    def _classify(self, rec: Dict) -> None:
        first = max(rec['onset'] - self.recognizer.onset_pad,
                    self.first_face)
        frames = [f for i, f in self._frames if first <= i <= rec['offset']]
        if len(frames) != rec['offset'] - first + 1:
            raise RuntimeError(f"span {rec['onset']}-{rec['offset']}: "
                               f'{len(frames)} of its frames are queued')
        if 'emotion' in rec:
            rec['spotter_emotion'] = rec['emotion']
            rec['spotter_class_score'] = rec['class_score']
        rec.update(self.recognizer(frames, first))

    def _report(self, spans: List[Span]) -> List[Dict]:
        out = []
        for span in spans:
            rec = self._span_record(span)
            if self.recognizer is not None:
                self._classify(rec)
            self.spans.append(rec)
            out.append(rec)
        return out

    def aligned_input(self, crop: np.ndarray) -> torch.Tensor:
        """An aligned BGR crop as the model's normalized input."""
        if crop.shape[:2] != (self.size, self.size):
            crop = cv2.resize(crop, (self.size, self.size))
        rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB) if crop.ndim == 3 \
            else cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB)
        return self.model.normalize(rgb)

    @torch.no_grad()
    def process(self, frame: np.ndarray) -> FrameResult:
        """Take the next frame of the stream.

        Args:
            frame (np.ndarray): A BGR (or gray) frame as OpenCV reads it.

        Returns:
            FrameResult: The frame's scores and the spans found at it.
        """
        self.index += 1
        if self.recognizer is not None:
            self._frames.append((self.index, frame))
        face = self.tracker.update(frame)
        if face is None:
            return FrameResult(self.index, None, None, 'no face')
        if self.first_face is None:
            self.first_face = self.index
        spot, cls, self.state = self.model.step(
            self.aligned_input(face.image), self.state)
        score = float(spot[0])
        class_scores = cls[0].float().cpu().numpy()
        spans = self._report(self.finder.update(score, self.index,
                                                class_scores))
        return FrameResult(self.index, score, class_scores, face.status,
                           spans)

    def finish(self) -> List[Dict]:
        """End the stream: the span still open, if it is kept."""
        return self._report(self.finder.flush())


def run_stream(frames: Iterable[np.ndarray],
               spotter: StreamSpotter,
               sink: Optional['VideoSink'] = None,
               on_span: Optional[Callable[[Dict], None]] = None
               ) -> List[Dict]:
    """Spot the spans of a stream of frames, to its end.

    Args:
        frames (Iterable[np.ndarray]): BGR frames in order.
        spotter (StreamSpotter): The spotter (reset for a new stream).
        sink (VideoSink, optional): Writes the frames with the spans drawn;
            closed here, its file kept only when the stream ends well.
        on_span (callable, optional): Called with each span as it is
            found.

    Returns:
        list[dict]: The spans (also in ``spotter.spans``).
    """
    spans: List[Dict] = []
    if sink is not None:
        sink.spans = spans
    ok = False
    try:
        for frame in frames:
            result = spotter.process(frame)
            for span in result.spans:
                spans.append(span)
                if on_span is not None:
                    on_span(span)
            if sink is not None:
                sink.push(result.index, frame, result.score)
        for span in spotter.finish():
            spans.append(span)
            if on_span is not None:
                on_span(span)
        ok = spotter.first_face is not None
    finally:
        if sink is not None:
            sink.close(ok)
    return spans


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


def spans_table(spans: Sequence[Dict]) -> List[List]:
    """The rows of the CSV output: a header, then one row per span."""
    header = ['number', 'onset', 'offset', 'length', 'onset_time',
              'offset_time', 'score', 'emotion', 'class_score']
    if any('apex' in s for s in spans):  # classified by a recognizer
        header += ['apex', 'spotter_emotion', 'spotter_class_score',
                   'residual_px']
    return [header] + [[s.get(k, '') for k in header] for s in spans]


def draw_frame(frame: np.ndarray, index: int, score: Optional[float],
               spans: Sequence[Dict], threshold: float) -> np.ndarray:
    """A frame with its score bar and, inside a found span, a red border
    and the span's class.

    Args:
        frame (np.ndarray): The BGR frame (not changed).
        index (int): Its index.
        score (float, optional): Its spotting probability.
        spans (Sequence[dict]): Spans found (those holding ``index`` are
            drawn).
        threshold (float): The spotting threshold (a tick on the bar).

    Returns:
        np.ndarray: The drawn frame.
    """
    out = frame.copy() if frame.ndim == 3 else cv2.cvtColor(
        frame, cv2.COLOR_GRAY2BGR)
    h, w = out.shape[:2]
    bar = max(4, h // 40)
    cv2.rectangle(out, (0, h - bar), (w - 1, h - 1), (40, 40, 40), -1)
    if score is not None:
        cv2.rectangle(out, (0, h - bar), (int(round(score * (w - 1))),
                                          h - 1), (0, 200, 255), -1)
    x = int(round(threshold * (w - 1)))
    cv2.line(out, (x, h - bar), (x, h - 1), (255, 255, 255), 1)
    for span in spans:
        if span['onset'] <= index <= span['offset']:
            thick = max(2, h // 100)
            cv2.rectangle(out, (0, 0), (w - 1, h - bar - 1), (0, 0, 255),
                          thick)
            label = span.get('emotion', 'ME')
            value = span.get('class_score', span['score'])
            cv2.putText(out, f'{label} {value:.2f}', (thick + 2, 14 + thick),
                        cv2.FONT_HERSHEY_SIMPLEX, max(0.35, h / 700),
                        (0, 0, 255), 1, cv2.LINE_AA)
    return out


class VideoSink:
    """Writes the frames with the spans drawn, a few frames late.

    A span is found once it cannot grow any more, up to ``max_length +
    merge_gap`` frames after its first frame; frames wait that long in a
    queue of constant size, so every span holding a frame is known when the
    frame is drawn.
    """

    def __init__(self, path: str, fps: float, finder, spans) -> None:
        self.path, self.fps, self.spans = path, fps, spans
        self.threshold = finder.threshold
        longest = finder.max_length or int(round(4 * fps))
        self.delay = longest + max(finder.merge_gap, 1) + 1
        self.queue = deque()
        self._atomic = atomic_path(path)
        self.tmp = self._atomic.__enter__()
        self.writer = None

    def _write(self, index, frame, score) -> None:
        if self.writer is None:
            fourcc = 'mp4v' if self.path.lower().endswith('.mp4') else 'MJPG'
            h, w = frame.shape[:2]
            self.writer = cv2.VideoWriter(
                self.tmp, cv2.VideoWriter_fourcc(*fourcc), self.fps, (w, h))
            if not self.writer.isOpened():
                raise RuntimeError(f'{self.path}: OpenCV cannot write '
                                   f'{fourcc} video')
        self.writer.write(draw_frame(frame, index, score, self.spans,
                                     self.threshold))

    def push(self, index: int, frame, score) -> None:
        self.queue.append((index, frame, score))
        while self.queue and self.queue[0][0] <= index - self.delay:
            self._write(*self.queue.popleft())

    def close(self, ok: bool) -> None:
        """Write what waits and put the file in place (``ok``) or drop it."""
        try:
            if ok:
                while self.queue:
                    self._write(*self.queue.popleft())
            if self.writer is not None:
                self.writer.release()
        finally:
            if ok:
                self._atomic.__exit__(None, None, None)
            else:
                self._atomic.__exit__(RuntimeError, RuntimeError(), None)


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
