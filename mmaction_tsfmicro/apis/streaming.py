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
With a :class:`~.video_inference.SpanRecognizer` each span is also
classified by a recognizer (TSFmicro) from its own frames, kept in a queue
of constant size (:mod:`.video_inference`). ``tools/stream.py`` is the
command line.
"""
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import cv2
import numpy as np
import torch

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
        recognizer (callable, optional): Classifies each span from its
            frames (:class:`~mmaction_tsfmicro.apis.video_inference.
            SpanRecognizer`); its class replaces the spotter's (kept as
            ``spotter_emotion``, ``spotter_class_score``).
    """

    def __init__(self,
                 model: torch.nn.Module,
                 face_alignment: Dict,
                 span_finder: Dict,
                 classes: Optional[Sequence[str]] = None,
                 fps: float = 30.0,
                 detector: Any = None,
                 recognizer: Optional[Callable] = None) -> None:
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


def write_spans(path: str, record: Dict) -> str:
    """Write a record holding ``spans`` as JSON at ``path`` and its spans
    as CSV beside it (:func:`spans_table`); return the CSV's path."""
    import os.path as osp

    from ..utils.fileio import write_json, write_text
    write_json(path, record)
    csv_path = osp.splitext(path)[0] + '.csv'
    lines = [','.join(str(v) for v in row)
             for row in spans_table(record['spans'])]
    write_text(csv_path, '\n'.join(lines) + '\n')
    return csv_path


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
