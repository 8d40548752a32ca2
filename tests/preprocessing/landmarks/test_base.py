"""The landmarks type, the detector interface and the image conversions."""
import json

import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.landmarks import (FaceLandmarks,
                                                       LandmarkDetector,
                                                       MissingBackendError)
from mmaction_tsfmicro.preprocessing.landmarks.base import (bbox_of,
                                                            order_eyes, to_bgr,
                                                            to_gray)


def face(nose=True, **meta):
    points = np.float32([[10, 20], [30.12345, 18], [21, 31], [5, 40]])
    return FaceLandmarks(
        points=points,
        eyes=points[:2],
        nose=points[2] if nose else None,
        bbox=bbox_of(points),
        detector='test',
        meta=meta)


def test_key_points_add_the_nose_when_known():
    with_nose = face()
    np.testing.assert_array_equal(with_nose.key_points(),
                                  with_nose.points[:3])
    without = face(nose=False)
    assert without.key_points() is without.eyes


def test_to_dict_is_a_rounded_json_summary():
    out = face(yaw=0.5).to_dict()
    assert list(out) == ['detector', 'eyes', 'nose', 'bbox', 'num_points',
                         'yaw']
    assert (out['detector'], out['num_points'], out['yaw']) == ('test', 4,
                                                                0.5)
    # eyes and nose to 3 decimals, the box to 2 (in float32)
    np.testing.assert_allclose(out['eyes'], [[10, 20], [30.123, 18]],
                               atol=1e-5)
    assert out['nose'] == [21.0, 31.0]
    np.testing.assert_allclose(out['bbox'], [5, 18, 30.12, 40], atol=1e-5)
    json.dumps(out)
    assert face(nose=False).to_dict()['nose'] is None


def test_bbox_and_eye_order():
    box = bbox_of(np.array([[3, 9], [1, 4], [7, 2]], np.float64))
    assert box.dtype == np.float32 and box.tolist() == [1, 2, 7, 9]
    eyes = np.float32([[50, 10], [20, 12]])
    np.testing.assert_array_equal(order_eyes(eyes), [[20, 12], [50, 10]])
    np.testing.assert_array_equal(order_eyes(eyes[::-1]), order_eyes(eyes))


def test_image_conversions():
    rng = np.random.default_rng(0)
    bgr = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    gray = to_gray(bgr)
    assert gray.shape == (6, 8) and gray.dtype == np.uint8
    assert to_bgr(bgr) is bgr
    assert to_gray(gray) is gray
    np.testing.assert_array_equal(to_gray(gray[..., None]), gray)
    # gray images become three equal channels
    for image in (gray, gray[..., None]):
        out = to_bgr(image)
        assert out.shape == (6, 8, 3)
        assert (out == gray[..., None]).all()
    bgra = np.concatenate([bgr, np.full((6, 8, 1), 255, np.uint8)], 2)
    np.testing.assert_array_equal(to_bgr(bgra), bgr)
    np.testing.assert_array_equal(to_gray(bgra), gray)


def test_detector_interface():
    closed = []

    class Counting(LandmarkDetector):
        name = 'counting'

        def close(self):
            closed.append(True)

    with Counting() as det:
        with pytest.raises(NotImplementedError):
            det.detect(np.zeros((4, 4), np.uint8))
    assert closed == [True]
    LandmarkDetector().close()  # nothing to release
    assert issubclass(MissingBackendError, ImportError)
