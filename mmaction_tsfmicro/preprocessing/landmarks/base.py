"""What every face landmark detector shares: the :class:`FaceLandmarks` it
returns, the :class:`LandmarkDetector` interface, the error of a missing
backend and the image conversions the backends need.

Eyes are in image order: index 0 is the eye on the image's left (the
subject's right eye).
"""
from dataclasses import dataclass, field
from typing import Dict, Optional

import cv2
import numpy as np


class MissingBackendError(ImportError):
    """A detector backend's package is not installed."""


@dataclass
class FaceLandmarks:
    """Landmarks of one face, in pixels of the image they were found on.

    Args:
        points (np.ndarray): (K, 2) float32 (x, y) landmarks of the backend
            (478 for mediapipe, 68 for dlib, 2 eye centres for haar).
        eyes (np.ndarray): (2, 2) float32 eye centres, image-left eye first.
        nose (np.ndarray, optional): (2,) float32 nose tip, or None.
        bbox (np.ndarray): (4,) float32 face box ``x1, y1, x2, y2``.
        detector (str): Name of the backend that found the face.
        meta (dict): Extra backend facts, added to :meth:`to_dict`.
    """

    points: np.ndarray
    eyes: np.ndarray
    nose: Optional[np.ndarray]
    bbox: np.ndarray
    detector: str
    meta: Dict = field(default_factory=dict)

    def key_points(self) -> np.ndarray:
        """Return the eye centres and, when known, the nose tip: (2|3, 2)."""
        if self.nose is None:
            return self.eyes
        return np.concatenate([self.eyes, self.nose[None]], axis=0)

    def mouth_corners(self) -> Optional[np.ndarray]:
        """The mouth corners, image-left first, (2, 2); None when the
        backend does not give them (haar)."""
        if len(self.points) == 478:  # MediaPipe's face mesh
            return np.asarray(self.points, np.float32)[[61, 291]]
        if len(self.points) == 68:  # dlib
            return np.asarray(self.points, np.float32)[[48, 54]]
        return None

    def to_dict(self) -> Dict:
        """Return a JSON-serialisable summary (without all the points)."""
        out = dict(
            detector=self.detector,
            eyes=np.round(self.eyes, 3).tolist(),
            nose=None if self.nose is None else np.round(self.nose,
                                                         3).tolist(),
            bbox=np.round(self.bbox, 2).tolist(),
            num_points=int(len(self.points)))
        out.update(self.meta)
        return out


class LandmarkDetector:
    """Base class: find the largest face of an image and its landmarks.

    Subclasses implement :meth:`detect`. A detector holds native resources;
    use it as a context manager or call :meth:`close`.
    """

    name = 'base'

    def detect(self, image: np.ndarray) -> Optional[FaceLandmarks]:
        """Find the largest face.

        Args:
            image (np.ndarray): uint8 image, gray (H, W) or BGR (H, W, 3), as
                ``cv2.imread`` gives it.

        Returns:
            FaceLandmarks | None: The face, or None when no face is found.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend's resources."""

    def __enter__(self) -> 'LandmarkDetector':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Return a 3-channel uint8 BGR view of a gray, BGR or BGRA image.

    Args:
        image (np.ndarray): (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).

    Returns:
        np.ndarray: (H, W, 3) image (``image`` itself if already BGR).
    """
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[..., 0], cv2.COLOR_GRAY2BGR)
    return image


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return the one-channel (H, W) version of a gray, BGR or BGRA image.

    Args:
        image (np.ndarray): (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).

    Returns:
        np.ndarray: (H, W) image (a view when ``image`` is already gray).
    """
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[..., 0]
    return cv2.cvtColor(to_bgr(image), cv2.COLOR_BGR2GRAY)


def bbox_of(points: np.ndarray) -> np.ndarray:
    """Return the float32 box ``x1, y1, x2, y2`` around (K, 2) points."""
    return np.concatenate([points.min(0), points.max(0)]).astype(np.float32)


def order_eyes(eyes: np.ndarray) -> np.ndarray:
    """Return (2, 2) eye centres in image order, image-left eye first."""
    return eyes[np.argsort(eyes[:, 0])]
