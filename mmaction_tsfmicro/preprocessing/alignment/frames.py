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
