"""The dlib detector: the 68-point eye corners and nose tip."""
import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.landmarks import DlibDetector


@pytest.fixture(scope='module')
def dlib_face(single_face_image):
    with DlibDetector() as det:
        return det.detect(single_face_image)


def test_eyes_are_the_corner_midpoints(dlib_face):
    pts = dlib_face.points
    assert pts.shape == (68, 2) and pts.dtype == np.float32
    left = (pts[36] + pts[39]) / 2
    right = (pts[42] + pts[45]) / 2
    np.testing.assert_allclose(dlib_face.eyes, [left, right], atol=1e-4)
    np.testing.assert_array_equal(dlib_face.nose, pts[DlibDetector.NOSE_TIP])
    assert dlib_face.detector == 'dlib'


def test_box_holds_the_landmarks(dlib_face):
    x1, y1, x2, y2 = dlib_face.bbox
    assert dlib_face.bbox.dtype == np.float32
    eyes, nose = dlib_face.eyes, dlib_face.nose
    assert x1 < eyes[:, 0].min() and eyes[:, 0].max() < x2
    assert y1 < eyes[:, 1].min() < nose[1] < y2


def test_gray_and_upsampled(single_face_image, dlib_face):
    gray = cv2.cvtColor(single_face_image, cv2.COLOR_BGR2GRAY)
    with DlibDetector(upsample=1) as det:
        assert det.upsample == 1
        face = det.detect(gray)
    # dlib works on gray images: the same face to a pixel or two
    assert np.abs(face.eyes - dlib_face.eyes).max() < 3
