"""A face aligned in every frame of a video: detected once, then tracked.

:class:`FaceTracker` aligns the frames of a long video one at a time, as a
stream gives them, cheaply:

1. the first frame: the landmark detector (:mod:`mmaction_tsfmicro.
   preprocessing.landmarks`) finds the face; its similarity onto the
   alignment target (:func:`~mmaction_tsfmicro.preprocessing.alignment.
   estimate_transform`, as ``tools/data/preprocess_faces.py`` aligns a
   clip) is the *reference* transform, and the frame the reference frame;
2. every frame: a few points that expressions hardly move (the eye corners
   and the lower nose, :data:`TRACKED_POINTS`) are found again by pyramidal
   Lucas-Kanade optical flow **from the reference frame** (no drift
   accumulates), checked forward and backward; the similarity from the
   frame's points onto the reference's (``S_t``) stabilizes the head, and
   the frame is warped by ``reference transform o S_t``, so the face's own
   motion stays and the head's rigid motion goes;
3. when too few points pass the check, or every ``check_every`` frames if
   the detector disagrees with the tracked points by more than
   ``max_drift`` pixels, the face is detected again and the frame becomes
   the new reference (its transform continues the alignment: the aligned
   face does not jump).

The state is the reference frame and a few points: constant in the video's
length. The detector runs once, plus once per ``check_every`` frames.
"""
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

import cv2
import numpy as np

from .similarity import (AlignmentTarget, estimate_transform,
                                       similarity_lstsq, warp_face)
from ..face_mesh import EYE_CORNERS

#: MediaPipe mesh points tracked: the four eye corners and the lower nose
#: ridge and tip (the nasion moves with AU9, so it is left out).
TRACKED_POINTS = tuple(i for pair in EYE_CORNERS for i in pair) + (197, 195,
                                                                   5, 4, 1)
#: dlib's 68 points: eye corners, the lower nose ridge and the nose tip.
DLIB_TRACKED_POINTS = (36, 39, 42, 45, 29, 30, 33)

_LK = dict(winSize=(21, 21), maxLevel=3,
           criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30,
                     0.01))


class NoFaceError(ValueError):
    """No face is found where one is needed."""


@dataclass
class TrackedFace:
    """One aligned frame.

    Args:
        image (np.ndarray): The aligned crop (``size`` x ``size``, the
            frame's channels).
        matrix (np.ndarray): (2, 3) similarity frame -> crop.
        status (str): ``'detected'`` (the first frame), ``'tracked'``,
            ``'redetected'`` (a new reference) or ``'held'`` (no face
            found: the last transform is kept).
        points (int): Tracked points that passed the check.
        residual (float): The motion the similarity could not remove:
            the largest distance, in pixels of the crop, between a
            tracked point of the frame and the same point of the
            reference frame once both are aligned (0 on a detected or
            redetected frame).
        moved (float): How far the head moved from the reference frame:
            the largest displacement of a tracked point, in pixels of the
            crop, before the similarity removes it.
    """

    image: np.ndarray
    matrix: np.ndarray
    status: str
    points: int
    residual: float = 0.0
    moved: float = 0.0


def _gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class FaceTracker:
    """Align the frames of one video, in order (see the module docstring).

    Args:
        target (AlignmentTarget | dict): The crop geometry (``size``,
            ``eye_y``, ``eye_dist``, ...).
        detector (str | LandmarkDetector): A detector or its name
            (``'mediapipe'``, ``'dlib'``, ``'haar'``).
        check_every (int): Frames between checks of the tracking against
            the detector (0: only when tracking fails).
        max_drift (float): Disagreement (px of the frame) at which a check
            takes a new reference.
        max_error (float): Largest forward-backward error (px) of a
            tracked point.
        min_points (int): Fewest good points to keep tracking.
    """

    def __init__(self,
                 target: Union[AlignmentTarget, Dict[str, Any]],
                 detector: Union[str, Any] = 'mediapipe',
                 check_every: int = 60,
                 max_drift: float = 2.0,
                 max_error: float = 1.0,
                 min_points: int = 4) -> None:
        if isinstance(target, dict):
            fields = AlignmentTarget.__dataclass_fields__
            target = AlignmentTarget(
                **{k: v for k, v in target.items() if k in fields})
        self.target = target
        if isinstance(detector, str):
            from ..landmarks import build_detector
            detector = build_detector(detector)
            self._owns_detector = True
        else:
            self._owns_detector = False
        self.detector = detector
        self.check_every = int(check_every)
        self.max_drift = float(max_drift)
        self.max_error = float(max_error)
        self.min_points = int(min_points)
        self.reset()

    def reset(self) -> None:
        """Forget the video (the next frame is detected anew)."""
        self._ref_gray: Optional[np.ndarray] = None
        self._ref_pts: Optional[np.ndarray] = None
        self._ref_matrix: Optional[np.ndarray] = None
        self._last_pts: Optional[np.ndarray] = None
        self._matrix: Optional[np.ndarray] = None
        self.frame_index = -1

    def close(self) -> None:
        """Release the detector if this tracker built it."""
        if self._owns_detector:
            self.detector.close()

    def __enter__(self) -> 'FaceTracker':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _tracked(self, face) -> np.ndarray:
        pts = np.asarray(face.points, np.float32)
        if len(pts) == 478:
            return pts[list(TRACKED_POINTS)]
        if len(pts) == 68:
            return pts[list(DLIB_TRACKED_POINTS)]
        return np.asarray(face.key_points(), np.float32)

    def _anchor(self, gray: np.ndarray, face,
                matrix: Optional[np.ndarray]) -> None:
        """Make ``gray`` the reference with the face's points; ``matrix``
        (None: from the face's eyes) is its transform."""
        if matrix is None:
            matrix = estimate_transform(face.eyes, self.target, face.nose)
        self._ref_gray = gray
        self._ref_pts = self._tracked(face)
        self._ref_matrix = np.asarray(matrix, np.float64)
        self._last_pts = self._ref_pts.copy()
        self._matrix = self._ref_matrix

    def _track(self, gray: np.ndarray):
        """The reference points found in ``gray``, and which are good."""
        ref = self._ref_pts.reshape(-1, 1, 2)
        guess = self._last_pts.reshape(-1, 1, 2).copy()
        fwd, st1, _ = cv2.calcOpticalFlowPyrLK(
            self._ref_gray, gray, ref, guess,
            flags=cv2.OPTFLOW_USE_INITIAL_FLOW, **_LK)
        back, st2, _ = cv2.calcOpticalFlowPyrLK(gray, self._ref_gray, fwd,
                                                ref.copy(), **_LK)
        err = np.linalg.norm((back - ref).reshape(-1, 2), axis=1)
        good = (st1.reshape(-1) == 1) & (st2.reshape(-1) == 1) & (
            err < self.max_error)
        return fwd.reshape(-1, 2), good

    def update(self, frame: np.ndarray) -> Optional[TrackedFace]:
        """Align the next frame of the video.

        Args:
            frame (np.ndarray): The frame (BGR or gray uint8).

        Returns:
            TrackedFace | None: The aligned frame; None while no face has
            been found yet (the first frames of a video without a face).
        """
        self.frame_index += 1
        gray = _gray(frame)
        if self._ref_gray is None:
            face = self.detector.detect(frame)
            if face is None:
                return None
            self._anchor(gray, face, None)
            return self._output(frame, 'detected', len(self._ref_pts))
        pts, good = self._track(gray)
        status = 'tracked'
        need = int(good.sum()) < max(self.min_points, 2)
        check = (self.check_every > 0
                 and self.frame_index % self.check_every == 0)
        if need or check:
            face = self.detector.detect(frame)
            if face is not None:
                detected = self._tracked(face)
                drift = np.linalg.norm(detected - pts, axis=1)
                if need or np.median(drift[good] if good.any() else
                                     drift) > self.max_drift:
                    # the new reference continues the alignment: its
                    # detected points map onto the old reference's
                    s = similarity_lstsq(detected, self._ref_pts)
                    self._anchor(gray, face, _compose(self._ref_matrix, s))
                    return self._output(frame, 'redetected',
                                        len(self._ref_pts))
            elif need:
                return self._output(frame, 'held', int(good.sum()))
        residual = moved = 0.0
        if int(good.sum()) >= 2:
            s = similarity_lstsq(pts[good], self._ref_pts[good])
            self._matrix = _compose(self._ref_matrix, s)
            self._last_pts = pts
            scale = np.sqrt(abs(np.linalg.det(self._ref_matrix[:, :2])))
            ref = self._ref_pts[good]
            stable = pts[good] @ s[:, :2].T + s[:, 2]
            residual = float(np.linalg.norm(stable - ref, axis=1).max())
            moved = float(np.linalg.norm(pts[good] - ref, axis=1).max())
            residual, moved = residual * scale, moved * scale
        return self._output(frame, status, int(good.sum()), residual, moved)

    def _output(self, frame: np.ndarray, status: str, points: int,
                residual: float = 0.0, moved: float = 0.0) -> TrackedFace:
        image = warp_face(frame, self._matrix, self.target.size)
        return TrackedFace(image, self._matrix.copy(), status, points,
                           round(residual, 3), round(moved, 3))


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a o b`` of two (2, 3) affine matrices."""
    lin = a[:, :2] @ b[:, :2]
    return np.concatenate([lin, a[:, :2] @ b[:, 2:] + a[:, 2:]], axis=1)
