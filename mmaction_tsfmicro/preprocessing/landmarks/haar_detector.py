"""The ``haar`` face detector: OpenCV's Haar cascades (the face, then one
eye in each half of the face's upper part).

It needs only OpenCV and gives the two eye-box centres and no nose.
"""
import os.path as osp
from typing import Optional

import cv2
import numpy as np

from .base import FaceLandmarks, LandmarkDetector, to_gray


class HaarDetector(LandmarkDetector):
    """OpenCV Haar cascades: the largest face, then one eye in each half.

    Needs nothing beyond OpenCV. Eye centres are the centres of the eye
    boxes, so they are less precise (a few pixels) than the landmark models.

    Args:
        min_face (int): Smallest face side searched, in pixels.
        scale_factor (float): Cascade scale step.
        min_neighbors (int): Cascade ``minNeighbors`` for faces and eyes.
    """

    name = 'haar'

    def __init__(self,
                 min_face: int = 60,
                 scale_factor: float = 1.1,
                 min_neighbors: int = 5) -> None:
        root = cv2.data.haarcascades
        self._face = cv2.CascadeClassifier(
            osp.join(root, 'haarcascade_frontalface_default.xml'))
        self._eye = cv2.CascadeClassifier(
            osp.join(root, 'haarcascade_eye.xml'))
        if self._face.empty() or self._eye.empty():
            raise FileNotFoundError(
                f'OpenCV Haar cascades not found under {root}')
        self.min_face = min_face
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors

    def detect(self, image: np.ndarray) -> Optional[FaceLandmarks]:
        gray = np.ascontiguousarray(to_gray(image))
        faces = self._face.detectMultiScale(
            gray,
            self.scale_factor,
            self.min_neighbors,
            minSize=(self.min_face, self.min_face))
        # largest faces first; take the first one where both eyes are found
        for x, y, w, h in sorted(faces, key=lambda f: -f[2] * f[3]):
            eyes = self._find_eyes(gray, x, y, w, h)
            if eyes is not None:
                return FaceLandmarks(
                    points=eyes.copy(),
                    eyes=eyes,
                    nose=None,
                    bbox=np.array([x, y, x + w, y + h], np.float32),
                    detector=self.name)
        return None

    def _find_eyes(self, gray: np.ndarray, x: int, y: int, w: int,
                   h: int) -> Optional[np.ndarray]:
        top = gray[y + h // 8:y + h * 11 // 20, x:x + w]
        boxes = self._eye.detectMultiScale(
            top,
            self.scale_factor,
            self.min_neighbors,
            minSize=(max(w // 10, 8), ) * 2,
            maxSize=(w // 2, ) * 2)
        if len(boxes) < 2:
            return None
        boxes = np.asarray(boxes, np.float32)
        centres = boxes[:, :2] + boxes[:, 2:] / 2 + (x, y + h // 8)
        mid = x + w / 2
        left = [i for i in range(len(boxes)) if centres[i, 0] < mid]
        right = [i for i in range(len(boxes)) if centres[i, 0] >= mid]
        if not left or not right:
            return None
        # the most alike pair across the face's vertical mid-line: similar
        # box sizes and heights (a brow-and-eye box is bigger and higher)
        sizes = boxes[:, 2]
        pairs = [(i, j) for i in left for j in right]
        cost = [
            abs(sizes[i] - sizes[j]) / (sizes[i] + sizes[j]) +
            abs(centres[i, 1] - centres[j, 1]) / w for i, j in pairs
        ]
        i, j = pairs[int(np.argmin(cost))]
        return np.stack([centres[i], centres[j]]).astype(np.float32)
