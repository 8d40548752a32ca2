"""The ``dlib`` face detector: dlib's HOG face detector and its 68-point
shape predictor from the ``face_recognition_models`` package.

The eyes are the mid-points of each eye's two corners (stable under blinks
and gaze) and the nose is point 30, the nose tip.
"""
from typing import Optional

import numpy as np

from .backends import BACKENDS, model_file, require
from .base import FaceLandmarks, LandmarkDetector, order_eyes, to_gray


class DlibDetector(LandmarkDetector):
    """dlib HOG face detector with the 68-point predictor.

    Args:
        predictor_path (str, optional): A ``shape_predictor_68_face_landmarks
            .dat`` file. Defaults to the one in ``face_recognition_models``.
        upsample (int): Times dlib upsamples the image to find small faces
            (0 finds faces of about 80 px and more).
    """

    name = 'dlib'
    EYE_CORNERS = ((36, 39), (42, 45))
    NOSE_TIP = 30

    def __init__(self,
                 predictor_path: Optional[str] = None,
                 upsample: int = 0) -> None:
        dlib = require('dlib', 'dlib-bin', self.name)
        if predictor_path is None:
            predictor_path = model_file(*BACKENDS['dlib']['model'],
                                        self.name)
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(predictor_path)
        self.upsample = upsample

    def detect(self, image: np.ndarray) -> Optional[FaceLandmarks]:
        gray = np.ascontiguousarray(to_gray(image))
        rects = self._detector(gray, self.upsample)
        if len(rects) == 0:
            return None
        rect = max(rects, key=lambda r: r.width() * r.height())
        shape = self._predictor(gray, rect)
        pts = np.array([(p.x, p.y) for p in shape.parts()], np.float32)
        eyes = np.stack([pts[list(c)].mean(0) for c in self.EYE_CORNERS])
        bbox = np.array(
            [rect.left(), rect.top(),
             rect.right(), rect.bottom()], np.float32)
        return FaceLandmarks(
            points=pts,
            eyes=order_eyes(eyes),
            nose=pts[self.NOSE_TIP].copy(),
            bbox=bbox,
            detector=self.name)
