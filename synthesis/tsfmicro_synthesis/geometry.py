"""The face frame and the affine maps between images, face frame and poses.

Each clip has an output frame of ``size`` x ``size`` pixels and a *face
frame* of the same size: the face at rest, upright, with the eyes
:data:`EYE_DIST` of the width apart on the line :data:`EYE_Y`. Images are
mapped onto it by a similarity fitted to the eyes
(:func:`face_frame_transform`); the head's pose is a similarity
``(tx, ty, angle, log_scale)`` about the face centre (:func:`pose_matrix`).
Affine maps are (2, 3) matrices, as :func:`cv2.warpAffine` takes them.
"""
from typing import Sequence

import numpy as np

from mmaction_tsfmicro.preprocessing.alignment import similarity_lstsq
from mmaction_tsfmicro.preprocessing.face_mesh import NOSE_TIP
from .action_units import eye_centres

#: Inter-ocular distance in the face frame, as a fraction of its width.
EYE_DIST = 0.32
#: Height of the eye line in the face frame, as a fraction of its height.
EYE_Y = 0.42


def apply_affine(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply an affine matrix to points.

    Args:
        m (np.ndarray): (2, 3) matrix.
        points (np.ndarray): (..., 2) points.

    Returns:
        np.ndarray: (..., 2) mapped points.
    """
    return points @ m[:, :2].T + m[:, 2]


def invert_affine(m: np.ndarray) -> np.ndarray:
    """Invert an affine matrix.

    Args:
        m (np.ndarray): (2, 3) invertible matrix.

    Returns:
        np.ndarray: (2, 3) inverse.
    """
    (a, b), (c, d) = m[:, :2]
    det = a * d - b * c
    lin = np.array([[d, -b], [-c, a]]) / det
    return np.concatenate([lin, -lin @ m[:, 2:]], axis=1)


def compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Compose two affine matrices.

    Args:
        a (np.ndarray): (2, 3) matrix applied second.
        b (np.ndarray): (2, 3) matrix applied first.

    Returns:
        np.ndarray: (2, 3) matrix of ``a o b``.
    """
    lin = a[:, :2] @ b[:, :2]
    return np.concatenate([lin, a[:, :2] @ b[:, 2:] + a[:, 2:]], axis=1)


def pose_matrix(params: Sequence[float], centre: np.ndarray) -> np.ndarray:
    """Similarity of a head pose ``(tx, ty, angle, log_scale)`` about a point.

    Args:
        params (Sequence[float]): Translation (px), rotation (rad), log of
            the scale.
        centre (np.ndarray): (2,) centre of rotation and scaling.

    Returns:
        np.ndarray: (2, 3) matrix ``x -> s R (x - c) + c + t``.
    """
    tx, ty, angle, log_s = params
    s = np.exp(log_s)
    rot = s * np.array([[np.cos(angle), -np.sin(angle)],
                        [np.sin(angle), np.cos(angle)]])
    shift = np.asarray(centre) + (tx, ty) - rot @ np.asarray(centre)
    return np.concatenate([rot, shift[:, None]], axis=1)


def pose_params(m: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pose_matrix` for a similarity matrix.

    Args:
        m (np.ndarray): (2, 3) similarity matrix.
        centre (np.ndarray): (2,) centre of rotation and scaling.

    Returns:
        np.ndarray: (4,) pose ``(tx, ty, angle, log_scale)``.
    """
    a, b = m[0, 0], m[1, 0]
    scale = np.hypot(a, b)
    angle = np.arctan2(b, a)
    t = apply_affine(m, np.asarray(centre)) - centre
    return np.array([t[0], t[1], angle, np.log(scale)])


def pose_extent(params: np.ndarray, radius: float) -> np.ndarray:
    """Bound on how far a pose moves points within ``radius`` of its centre.

    Args:
        params (np.ndarray): (..., 4) pose parameters.
        radius (float): Radius in pixels.

    Returns:
        np.ndarray: (...,) bound in pixels.
    """
    params = np.asarray(params)
    return (np.hypot(params[..., 0], params[..., 1]) +
            radius * (np.abs(params[..., 2]) + np.abs(params[..., 3])))


def face_radius(size: int) -> float:
    """Radius of the face in a face frame, the reach of head-motion bounds.

    Args:
        size (int): Side of the face frame.

    Returns:
        float: Radius in pixels (1.2 inter-ocular distances).
    """
    return 1.2 * EYE_DIST * size


def face_frame_transform(points: np.ndarray, size: int,
                         jitter: Sequence[float] = (0, 0, 0, 0)) -> np.ndarray:
    """Similarity from an image to the face frame, from its landmarks.

    Args:
        points (np.ndarray): (478, 2) landmarks in the image.
        size (int): Side of the face frame.
        jitter (Sequence[float]): Framing change ``(dx, dy, angle,
            log_scale)`` about the frame centre (a recording's own framing).

    Returns:
        np.ndarray: (2, 3) matrix image -> face frame.
    """
    eyes = eye_centres(points)
    target = np.array([[(0.5 - EYE_DIST / 2) * size, EYE_Y * size],
                       [(0.5 + EYE_DIST / 2) * size, EYE_Y * size]])
    m = similarity_lstsq(eyes, target)
    centre = np.array([size / 2, size / 2])
    return compose(pose_matrix(jitter, centre), m)


def face_centre(landmarks: np.ndarray) -> np.ndarray:
    """Centre of head rotation in the face frame: mid-way eyes to nose.

    Args:
        landmarks (np.ndarray): (478, 2) face-frame landmarks.

    Returns:
        np.ndarray: (2,) the centre.
    """
    return 0.5 * (eye_centres(landmarks).mean(0) + landmarks[NOSE_TIP])
