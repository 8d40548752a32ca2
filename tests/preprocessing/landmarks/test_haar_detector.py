"""The Haar detector: a face box and two eye-box centres, no nose."""
import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.landmarks import HaarDetector


@pytest.fixture(scope='module')
def haar_face(single_face_image):
    with HaarDetector() as det:
        return det.detect(single_face_image)


def test_eyes_are_the_only_points(haar_face):
    assert haar_face.detector == 'haar' and haar_face.nose is None
    np.testing.assert_array_equal(haar_face.points, haar_face.eyes)
    assert haar_face.eyes.dtype == np.float32
    x1, y1, x2, y2 = haar_face.bbox
    (lx, ly), (rx, ry) = haar_face.eyes
    # one eye in each half of the face box, in its upper half
    mid = (x1 + x2) / 2
    assert x1 < lx < mid <= rx < x2
    assert y1 < max(ly, ry) < (y1 + y2) / 2


def test_gray_and_bgra_give_the_same_eyes(single_face_image, haar_face):
    with HaarDetector() as det:
        for code in (cv2.COLOR_BGR2GRAY, cv2.COLOR_BGR2BGRA):
            face = det.detect(cv2.cvtColor(single_face_image, code))
            np.testing.assert_array_equal(face.eyes, haar_face.eyes)


def test_a_too_large_minimum_face_finds_none(single_face_image):
    h, w = single_face_image.shape[:2]
    with HaarDetector(min_face=max(h, w) + 1) as det:
        assert det.detect(single_face_image) is None


def test_missing_cascades(monkeypatch, tmp_path):
    monkeypatch.setattr(cv2.data, 'haarcascades', str(tmp_path) + '/')
    with pytest.raises(FileNotFoundError,
                       match='OpenCV Haar cascades not found under'):
        HaarDetector()
