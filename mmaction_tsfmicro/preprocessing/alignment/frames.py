"""Aligning the frames of one new clip as training frames were aligned.

``tools/data/preprocess_faces.py`` aligns a clip with ONE similarity
transform, fitted to the face found on its onset frame and applied to every
frame. :func:`align_like_training` does the same to the frames of a clip
given at inference time, with the alignment target and detector that a
released checkpoint records (:mod:`mmaction_tsfmicro.apis.publish`).
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..landmarks import build_detector
from .similarity import (AlignmentTarget, estimate_transform, transform_points,
                         warp_face)


class AlignmentError(ValueError):
    """No face on the onset frame, or the face moved too much."""


def target_from(preprocessing: Dict[str, Any]) -> AlignmentTarget:
    """The :class:`AlignmentTarget` a checkpoint's preprocessing names."""
    fields = dict(preprocessing['alignment'])
    allowed = AlignmentTarget.__dataclass_fields__
    return AlignmentTarget(**{k: v for k, v in fields.items()
                              if k in allowed})


def align_like_training(frames: Sequence[np.ndarray],
                        preprocessing: Dict[str, Any],
                        names: Optional[Sequence[str]] = None
                        ) -> Tuple[List[np.ndarray], Dict[str, Any]]:
    """Align frames with one transform from the first frame's face.

    Args:
        frames (sequence[np.ndarray]): BGR (or gray) frames, the onset
            first.
        preprocessing (dict): ``alignment`` (the target), ``detector`` and
            optionally ``max_shift`` (largest eye shift in output pixels
            between the first and the other frames; None: not checked).
        names (sequence[str], optional): The frames' names in messages
            (``the onset (frame 12)``); by default ``the onset`` and
            ``frame i of the clip``.

    Returns:
        tuple: The aligned frames (``size`` x ``size``) and a record of the
        alignment (``matrix``, ``detector``, ``shifts_px``).

    Raises:
        AlignmentError: If no face is found on a frame, or it moved more
            than ``max_shift``.
    """
    if names is None:
        names = ['the onset'] + [f'frame {i} of the clip'
                                 for i in range(1, len(frames))]
    target = target_from(preprocessing)
    detector = build_detector(preprocessing.get('detector', 'mediapipe'))
    try:
        ref = detector.detect(frames[0])
        if ref is None:
            raise AlignmentError(f'no face found on {names[0]}')
        matrix = estimate_transform(ref.eyes, target, ref.nose)
        ref_pts = transform_points(matrix, ref.key_points())
        shifts = []
        max_shift = preprocessing.get('max_shift')
        for i, frame in enumerate(frames[1:], 1):
            face = detector.detect(frame)
            if face is None:
                raise AlignmentError(f'no face found on {names[i]}')
            pts = transform_points(matrix, face.key_points())
            n = min(len(pts), len(ref_pts))
            shift = float(np.linalg.norm(pts[:n] - ref_pts[:n], axis=1).max())
            shifts.append(round(shift, 3))
            if max_shift is not None and shift > max_shift:
                raise AlignmentError(
                    f'the face moved {shift:.1f} px (> {max_shift:g} px at '
                    f'{target.size} px) between {names[0]} and {names[i]}')
    finally:
        detector.close()
    aligned = [warp_face(f, matrix, target.size) for f in frames]
    return aligned, dict(matrix=np.round(matrix, 6).tolist(),
                         detector=ref.detector, shifts_px=shifts)


#: Head motion (pixels of a 112-pixel crop, scaled with the crop) up to which
#: a clip is aligned as training clips were (one transform) and beyond which
#: its frames are stabilized by tracking, with a warning.
MAX_HEAD_MOTION_PX = 2.0


def track_clip(frames: Sequence[np.ndarray],
               preprocessing: Dict[str, Any],
               first: str = 'the first frame',
               max_motion: Optional[float] = None
               ) -> Tuple[List[np.ndarray], Dict[str, Any]]:
    """Align the frames of a clip to its first, handling head motion.

    The face of the first frame is detected and its similarity onto the
    checkpoint's target fitted, as ``tools/data/preprocess_faces.py`` aligns
    a training clip; the later frames are tracked from it
    (:class:`~.tracking.FaceTracker`), which measures how far the head
    moved (``moved_px``: the largest displacement of the eye corners and
    nose, in pixels of the crop).

    * Up to ``max_motion``: every frame gets the first frame's transform,
      exactly as training clips were aligned (their heads moved this
      little too), so the model sees what it was trained on.
    * Beyond: each frame gets its tracked transform, which brings the head
      back onto the first frame's (``mode='tracked'``); a warning says so.
      Stabilizing is not free: the tracked points move a little with the
      expression too, and a part of it goes with the head's motion. On
      rendered clips the released demo model's accuracy with the true key
      frames was 14 of 20 without head motion (one transform; 10 of 20 if
      the still clips were stabilized as well), and 4 to 7 of 20 with 3 px
      and more of head motion, stabilized or not (docs/inference.md).

    Args:
        frames (sequence[np.ndarray]): BGR (or gray) frames in order, the
            onset first.
        preprocessing (dict): ``alignment`` (the target) and ``detector``,
            as a released checkpoint records them.
        first (str): The first frame in messages (``the onset (frame
            7)``).
        max_motion (float, optional): Head motion, in pixels of the crop,
            up to which one transform is used; by default
            :data:`MAX_HEAD_MOTION_PX` scaled to the crop's size.

    Returns:
        tuple: The aligned frames and a record: ``detector``, ``matrix``
        (the first frame's), ``mode`` (``'one transform'`` or
        ``'tracked'``), ``moved_px`` and ``residual_px`` per frame (the
        head's motion, and what the alignment leaves of it: all of it with
        one transform, the misfit of the tracked similarity otherwise),
        ``max_motion_px`` and ``warning`` (a sentence, or None).

    Raises:
        AlignmentError: If no face is found on the first frame.
    """
    from .tracking import FaceTracker
    target = target_from(preprocessing)
    if max_motion is None:
        max_motion = MAX_HEAD_MOTION_PX * target.size / 112
    detector = preprocessing.get('detector', 'mediapipe')
    tracked, moved, residual = [], [], []
    with FaceTracker(target, detector, check_every=0) as tracker:
        for i, frame in enumerate(frames):
            face = tracker.update(frame)
            if face is None:
                raise AlignmentError(f'no face found on {first}')
            if i == 0:
                matrix = face.matrix
            tracked.append(face.image)
            moved.append(face.moved)
            residual.append(face.residual)
    worst = max(moved)
    warning = None
    if worst <= max_motion:
        mode = 'one transform'
        aligned = [warp_face(f, matrix, target.size) for f in frames]
        residual = list(moved)
    else:
        mode = 'tracked'
        aligned = tracked
        frame = moved.index(worst)
        warning = (f'the head moved {worst:.1f} px (> {max_motion:g} px at '
                   f'{target.size} px) between {first} and frame {frame} '
                   'after it; the frames were stabilized by tracking, but '
                   'the model was trained on stiller clips: its answer is '
                   'less reliable (docs/inference.md)')
    return aligned, dict(matrix=np.round(matrix, 6).tolist(),
                         detector=detector, mode=mode, moved_px=moved,
                         residual_px=residual,
                         max_motion_px=round(float(max_motion), 3),
                         warning=warning)


def estimate_apex(frames: Sequence[np.ndarray]) -> int:
    """The apex of aligned frames that run from an onset to an offset: the
    frame farthest from both ends, ``argmax_t min(|f_t - f_0|, |f_t -
    f_last|)`` (L2 norms of the float differences over all pixels and
    channels), the earliest on a tie.

    Measured on rendered clips with a drifting head (tracked and aligned),
    the distance from the onset alone keeps growing with the drift and
    lands near the clip's end; the distance from both ends peaks within a
    few frames of the true apex (``tests/preprocessing/alignment/
    test_frames.py``). Two frames give the second.
    """
    if len(frames) < 2:
        raise ValueError(f'an apex needs two frames or more, got '
                         f'{len(frames)}')
    if len(frames) == 2:
        return 1
    first = np.asarray(frames[0], np.float32)
    last = np.asarray(frames[-1], np.float32)
    scores = []
    for frame in frames[1:-1]:
        frame = np.asarray(frame, np.float32)
        scores.append(min(float(np.linalg.norm(frame - first)),
                          float(np.linalg.norm(frame - last))))
    return 1 + int(np.argmax(scores))


def check_aligned(frame: np.ndarray, preprocessing: Dict[str, Any],
                  name: str, tolerance: float = 0.15) -> Optional[str]:
    """Whether a frame given as aligned holds the aligned face.

    The face is detected and its alignment onto the checkpoint's target
    fitted: an aligned frame needs (nearly) none.

    Args:
        frame (np.ndarray): The BGR (or gray) frame.
        preprocessing (dict): ``alignment`` and ``detector``.
        name (str): The frame in the message.
        tolerance (float): Largest change of scale (as a fraction) and
            shift (as a fraction of the crop's size) taken as aligned.

    Returns:
        str | None: A warning sentence, or None when the face is where the
        aligned training faces are.
    """
    target = target_from(preprocessing)
    detector = build_detector(preprocessing.get('detector', 'mediapipe'))
    try:
        face = detector.detect(frame)
    finally:
        detector.close()
    if face is None:
        return (f'{name}: given as aligned, but no face is found on it; '
                'align the frames (leave out --no-align)')
    matrix = estimate_transform(face.eyes, target, face.nose)
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    eyes = np.asarray(face.eyes, np.float64).reshape(-1, 2).mean(axis=0)
    shift = float(np.linalg.norm(transform_points(matrix, eyes)[0] - eyes))
    height, width = frame.shape[:2]
    if (abs(scale - 1) > tolerance or shift > tolerance * target.size
            or (height, width) != (target.size, target.size)):
        return (f'{name}: given as aligned, but its face is not where the '
                f'aligned faces are (a {width}x{height} frame whose face '
                f'needs scaling by {scale:.2f} and moving {shift:.0f} px to '
                f'match the {target.size} px crops); align the frames '
                '(leave out --no-align)')
    return None
