"""Per-frame scores into spans: threshold, merge short gaps, keep by length.

A spotting model gives each frame a score (the probability that the frame
lies inside a micro-expression). :class:`SpanFinder` turns the scores of a
video into spans:

1. optionally smooth: the mean of the last ``smooth`` scores (causal, so
   the online and the offline forms see the same values);
2. threshold: frames with a (smoothed) score ``>= threshold`` are *on*;
3. merge: two runs of *on* frames separated by fewer than ``merge_gap``
   *off* frames are one span (the gap joins it);
4. keep: a span of ``min_length`` to ``max_length`` frames (both ends
   included, as the MEGC protocol counts them) is kept, others are dropped.

A span runs from its first to its last *on* frame; its score is the mean
score over its frames (gaps included), and the mean of any per-frame vector
given with the scores (the class scores) likewise.

The same rules run offline on a whole score sequence (:meth:`SpanFinder.
find`) and online, one frame at a time (:meth:`SpanFinder.update`, then
:meth:`SpanFinder.flush` at the end), with the same result; the online form
holds only the open span's sums and a few counters, so its memory does not
grow with the video. A span is reported online once ``merge_gap`` *off*
frames have followed it (no later run can join it then); one that grew
past ``max_length`` frames is dropped then, not split.

Default lengths: MEGC's micro-expression range for CAS(ME)^2 at 30 fps
(7 to 16 frames; for SAMM at 200 fps it is 47 to 105).
"""
from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, List, Optional, Sequence

import numpy as np


@dataclass
class Span:
    """One found span.

    Args:
        onset (int): First frame (a frame number or index, as given).
        offset (int): Last frame, included.
        score (float): Mean score over the span's frames.
        extra (np.ndarray, optional): Mean of the per-frame vectors given
            with the scores (e.g. class probabilities).
    """

    onset: int
    offset: int
    score: float
    extra: Optional[np.ndarray] = None

    @property
    def length(self) -> int:
        """Frames in the span, both ends included."""
        return self.offset - self.onset + 1

    def to_dict(self) -> Dict:
        """A JSON-friendly record (``extra`` as a list)."""
        out = dict(onset=int(self.onset), offset=int(self.offset),
                   length=self.length, score=float(self.score))
        if self.extra is not None:
            out['extra'] = [float(v) for v in self.extra]
        return out


@dataclass
class _Open:
    """The span being grown online."""

    onset: int
    last_on: int
    total: float = 0.0
    extra: Optional[np.ndarray] = None
    # sums up to last_on (what the span holds if no later run joins it)
    kept_total: float = 0.0
    kept_extra: Optional[np.ndarray] = None


class SpanFinder:
    """Find spans in per-frame scores, offline or online.

    Args:
        threshold (float): Score at or above which a frame is on.
        merge_gap (int): Runs separated by fewer off frames than this are
            merged (0 or 1: runs are merged only when adjacent).
        min_length (int): Shortest span kept (frames, ends included).
        max_length (int, optional): Longest span kept; None: no limit.
        smooth (int): Width of the causal moving mean of the scores (1: the
            scores as given).
    """

    def __init__(self,
                 threshold: float = 0.5,
                 merge_gap: int = 3,
                 min_length: int = 7,
                 max_length: Optional[int] = 16,
                 smooth: int = 1) -> None:
        if merge_gap < 0 or min_length < 1 or smooth < 1:
            raise ValueError('need merge_gap >= 0, min_length >= 1 and '
                             f'smooth >= 1, got {merge_gap}, {min_length}, '
                             f'{smooth}')
        if max_length is not None and max_length < min_length:
            raise ValueError(f'max_length {max_length} < min_length '
                             f'{min_length}')
        self.threshold = float(threshold)
        self.merge_gap = int(merge_gap)
        self.min_length = int(min_length)
        self.max_length = None if max_length is None else int(max_length)
        self.smooth = int(smooth)
        self.reset()

    def config(self) -> Dict:
        """The rules, as keyword arguments of this class."""
        return dict(threshold=self.threshold, merge_gap=self.merge_gap,
                    min_length=self.min_length, max_length=self.max_length,
                    smooth=self.smooth)

    # online -------------------------------------------------------------
    def reset(self) -> None:
        """Forget the frames seen (start a new video)."""
        self._recent: Deque[float] = deque(maxlen=self.smooth)
        self._open: Optional[_Open] = None
        self._frame: Optional[int] = None

    def _close(self) -> List[Span]:
        span, self._open = self._open, None
        length = span.last_on - span.onset + 1
        if length < self.min_length or (self.max_length is not None
                                        and length > self.max_length):
            return []
        extra = None if span.kept_extra is None else span.kept_extra / length
        return [Span(span.onset, span.last_on, span.kept_total / length,
                     extra)]

    def update(self, score: float, frame: Optional[int] = None,
               extra: Optional[Sequence[float]] = None) -> List[Span]:
        """Take the score of the next frame.

        Args:
            score (float): The frame's score.
            frame (int, optional): Its number; the previous one plus one by
                default (0 for the first).
            extra (Sequence[float], optional): A per-frame vector whose mean
                over each span is reported with it.

        Returns:
            list[Span]: The spans finished at this frame (none or one).
        """
        if frame is None:
            frame = 0 if self._frame is None else self._frame + 1
        elif self._frame is not None and frame != self._frame + 1:
            raise ValueError(f'frames must follow each other: {frame} after '
                             f'{self._frame}')
        self._frame = int(frame)
        score = float(score)
        self._recent.append(score)
        smoothed = float(np.mean(self._recent))
        vec = None if extra is None else np.asarray(extra, np.float64)
        done: List[Span] = []
        span = self._open
        if span is not None:
            span.total += smoothed
            span.extra = None if vec is None else (
                vec.copy() if span.extra is None else span.extra + vec)
        if smoothed >= self.threshold:
            if span is None:
                self._open = _Open(frame, frame, smoothed,
                                   None if vec is None else vec.copy())
                span = self._open
            span.last_on = frame
            span.kept_total = span.total
            span.kept_extra = None if span.extra is None else \
                span.extra.copy()
        elif span is not None and frame - span.last_on >= max(
                self.merge_gap, 1):
            done = self._close()
        return done

    def flush(self) -> List[Span]:
        """End the video: report the open span, if it is kept."""
        out = self._close() if self._open is not None else []
        self.reset()
        return out

    # offline ------------------------------------------------------------
    def find(self, scores: Sequence[float], first_frame: int = 0,
             extra: Optional[np.ndarray] = None) -> List[Span]:
        """All spans of a whole score sequence.

        Args:
            scores (Sequence[float]): (T,) per-frame scores.
            first_frame (int): Number of the first frame.
            extra (np.ndarray, optional): (T, K) per-frame vectors.

        Returns:
            list[Span]: The kept spans, in time order; the same as feeding
            the frames to :meth:`update` one by one and calling
            :meth:`flush`.
        """
        scores = np.asarray(scores, np.float64).reshape(-1)
        if extra is not None:
            extra = np.asarray(extra, np.float64)
            if len(extra) != len(scores):
                raise ValueError(f'{len(extra)} extra vectors for '
                                 f'{len(scores)} scores')
        if self.smooth > 1 and len(scores):
            csum = np.concatenate([[0.0], np.cumsum(scores)])
            idx = np.arange(1, len(scores) + 1)
            lo = np.maximum(idx - self.smooth, 0)
            scores = (csum[idx] - csum[lo]) / (idx - lo)
        on = np.flatnonzero(scores >= self.threshold)
        spans: List[Span] = []
        if not len(on):
            return spans
        gap = max(self.merge_gap, 1)
        # runs of on frames whose gaps are shorter than merge_gap
        breaks = np.flatnonzero(np.diff(on) > gap) + 1
        for group in np.split(on, breaks):
            start, end = int(group[0]), int(group[-1])
            length = end - start + 1
            if length < self.min_length or (self.max_length is not None
                                            and length > self.max_length):
                continue
            vec = None if extra is None else extra[start:end + 1].mean(0)
            spans.append(Span(start + first_frame, end + first_frame,
                              float(scores[start:end + 1].mean()), vec))
        return spans
