"""Similarity alignment of a face from its eyes (and nose).

Geometry (output crop of ``size`` x ``size`` pixels, origin top-left):

- the image-left eye centre goes to ``((0.5 - eye_dist / 2) * size,
  eye_y * size)`` and the image-right eye centre to ``((0.5 + eye_dist / 2)
  * size, eye_y * size)``: the eye line is horizontal (the face is upright)
  and the inter-ocular distance is ``eye_dist * size`` (fixed scale);
- with ``use_nose=True`` the nose tip joins the fit with its target at
  ``(0.5 * size, nose_y * size)`` and the transform is the least-squares
  similarity of the three points (Umeyama), which centres a turned head
  on its nose at the cost of the eyes' exact positions.

A similarity transform (rotation, uniform scale, translation; no shear)
keeps the face's shape, so motion measured on the aligned frames is the
face's own motion, scaled.
"""
from dataclasses import asdict, dataclass
from typing import Dict, Optional

import cv2
import numpy as np


@dataclass(frozen=True)
class AlignmentTarget:
    """Where the eyes (and nose) land in the output crop.

    Args:
        size (int): Side of the square output crop in pixels.
        eye_y (float): Eye line height, as a fraction of ``size``.
        eye_dist (float): Inter-ocular distance, as a fraction of ``size``.
        nose_y (float): Nose tip height, as a fraction of ``size`` (used
            only with ``use_nose``).
        use_nose (bool): Fit the nose tip too (least squares).
    """

    size: int = 224
    eye_y: float = 0.36
    eye_dist: float = 0.32
    nose_y: float = 0.58
    use_nose: bool = False

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f'crop size must be >= 8, got {self.size}')
        if not 0 < self.eye_dist < 1 or not 0 < self.eye_y < 1:
            raise ValueError('eye_dist and eye_y must lie in (0, 1), got '
                             f'{self.eye_dist}, {self.eye_y}')

    def eyes(self) -> np.ndarray:
        """Return the (2, 2) target eye centres, image-left eye first."""
        s = float(self.size)
        half = self.eye_dist / 2
        return np.array([[(0.5 - half) * s, self.eye_y * s],
                         [(0.5 + half) * s, self.eye_y * s]], np.float64)

    def nose(self) -> np.ndarray:
        """Return the (2,) target nose tip."""
        return np.array([0.5 * self.size, self.nose_y * self.size])

    def to_dict(self) -> Dict:
        """Return the target as a plain dict."""
        return asdict(self)


def similarity_lstsq(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform mapping ``src`` onto ``dst``.

    Closed form (Umeyama, 1991) on complex numbers: ``dst ~ a * src + b``
    with complex ``a`` (rotation and scale) and ``b`` (translation). Exact for
    two distinct points. Works on batches: ``src`` and ``dst`` of shape
    (..., K, 2) give (..., 2, 3) matrices.

    Args:
        src (np.ndarray): (..., K, 2) source points, K >= 2.
        dst (np.ndarray): (..., K, 2) target points.

    Returns:
        np.ndarray: (..., 2, 3) float64 matrices for
        :func:`cv2.warpAffine`.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    if src.shape != dst.shape or src.ndim < 2 or src.shape[-1] != 2 \
            or src.shape[-2] < 2:
        raise ValueError('similarity needs two (K, 2) arrays with K >= 2, got '
                         f'{src.shape} and {dst.shape}')
    batch = src.shape[:-2]
    src = src.reshape((-1, ) + src.shape[-2:])
    dst = dst.reshape((-1, ) + dst.shape[-2:])
    out = np.empty((len(src), 2, 3))
    for i, (s, d) in enumerate(zip(src, dst)):
        zs = s[:, 0] + 1j * s[:, 1]
        zd = d[:, 0] + 1j * d[:, 1]
        zs_c = zs - zs.mean()
        zd_c = zd - zd.mean()
        denom = np.vdot(zs_c, zs_c).real
        if denom < 1e-9:
            raise ValueError('similarity needs distinct source points')
        a = np.vdot(zs_c, zd_c) / denom
        b = zd.mean() - a * zs.mean()
        out[i] = [[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]]
    return out.reshape(batch + (2, 3))


def estimate_transform(eyes: np.ndarray,
                       target: AlignmentTarget,
                       nose: Optional[np.ndarray] = None) -> np.ndarray:
    """Return the similarity transform that aligns a face to ``target``.

    Args:
        eyes (np.ndarray): (2, 2) eye centres, image-left eye first.
        target (AlignmentTarget): The output geometry.
        nose (np.ndarray, optional): (2,) nose tip; used when
            ``target.use_nose`` is set.

    Returns:
        np.ndarray: (2, 3) float64 matrix.
    """
    src = np.asarray(eyes, np.float64).reshape(2, 2)
    dst = target.eyes()
    if target.use_nose:
        if nose is None:
            raise ValueError('use_nose is set but the detector gave no nose')
        src = np.vstack([src, np.asarray(nose, np.float64).reshape(1, 2)])
        dst = np.vstack([dst, target.nose()[None]])
    return similarity_lstsq(src, dst)


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (2, 3) affine matrix to (K, 2) points."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    return points @ np.asarray(matrix)[:, :2].T + np.asarray(matrix)[:, 2]


def warp_face(image: np.ndarray,
              matrix: np.ndarray,
              size: int,
              border_value: int = 0) -> np.ndarray:
    """Warp an image with a similarity matrix into a ``size`` x ``size`` crop.

    Args:
        image (np.ndarray): Gray (H, W) or colour (H, W, C) image.
        matrix (np.ndarray): (2, 3) matrix from :func:`estimate_transform`.
        size (int): Output side in pixels.
        border_value (int): Fill value outside the source image.

    Returns:
        np.ndarray: The crop, same dtype and channels as ``image``.
    """
    channels = 1 if image.ndim == 2 else image.shape[2]
    return cv2.warpAffine(
        image,
        np.asarray(matrix, np.float64), (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border_value, ) * min(channels, 4))


def transform_scale(matrix: np.ndarray) -> float:
    """Return the uniform scale of a similarity matrix."""
    return float(np.hypot(matrix[0][0], matrix[1][0]))


def transform_angle(matrix: np.ndarray) -> float:
    """Return the rotation of a similarity matrix in degrees."""
    return float(np.degrees(np.arctan2(matrix[1][0], matrix[0][0])))
