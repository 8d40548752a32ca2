import numpy as np
import pytest
from tsfmicro_synthesis.action_units import eye_centres
from tsfmicro_synthesis.geometry import (EYE_DIST, EYE_Y, apply_affine,
                                         compose, face_centre,
                                         face_frame_transform, face_radius,
                                         invert_affine, pose_extent,
                                         pose_matrix, pose_params)

from mmaction_tsfmicro.preprocessing.alignment import similarity_lstsq
from mmaction_tsfmicro.preprocessing.face_mesh import NOSE_TIP


def test_similarity_lstsq_recovers_a_similarity():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (12, 2))
    true = pose_matrix((3.0, -2.0, 0.2, 0.1), np.array([50.0, 50.0]))
    m = similarity_lstsq(src, apply_affine(true, src))
    assert np.allclose(m, true, atol=1e-9)
    assert np.allclose(compose(invert_affine(m), m)[:, :2], np.eye(2))
    assert np.allclose(pose_params(true, np.array([50.0, 50.0])),
                       (3.0, -2.0, 0.2, 0.1))


def test_compose_applies_the_second_matrix_first():
    a = pose_matrix((1.0, 2.0, 0.3, 0.0), np.zeros(2))
    b = np.array([[2.0, 0.0, 5.0], [0.0, 3.0, -1.0]])
    pts = np.array([[1.0, 1.0], [4.0, -2.0]])
    assert np.allclose(
        apply_affine(compose(a, b), pts), apply_affine(a,
                                                       apply_affine(b, pts)))
    assert np.allclose(apply_affine(invert_affine(b), apply_affine(b, pts)),
                       pts)


def test_pose_extent_bounds_the_motion_of_face_points():
    rng = np.random.default_rng(2)
    centre = np.array([80.0, 80.0])
    radius = face_radius(160)
    assert radius == pytest.approx(1.2 * EYE_DIST * 160)
    angle = rng.uniform(0, 2 * np.pi, 200)
    r = radius * np.sqrt(rng.uniform(0, 1, 200))
    pts = centre + np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    for _ in range(5):
        params = rng.normal(0, (2, 2, 0.02, 0.02))
        moved = apply_affine(pose_matrix(params, centre), pts)
        assert np.linalg.norm(moved - pts, axis=1).max() <= \
            pose_extent(params, radius) + 1e-9
    assert pose_extent(np.zeros((3, 4)), radius).tolist() == [0, 0, 0]


def test_face_frame_puts_the_eyes_on_the_eye_line(photo_face):
    _, points = photo_face
    size = 128
    m = face_frame_transform(points, size)
    eyes = eye_centres(apply_affine(m, points))
    assert np.allclose(eyes, [[(0.5 - EYE_DIST / 2) * size, EYE_Y * size],
                              [(0.5 + EYE_DIST / 2) * size, EYE_Y * size]],
                       atol=1e-6)
    # a framing jitter is a pose about the frame centre
    jitter = (2.0, -1.0, 0.02, 0.01)
    moved = face_frame_transform(points, size, jitter)
    expected = compose(pose_matrix(jitter, np.array([size / 2] * 2)), m)
    assert np.allclose(moved, expected)
    lms = apply_affine(m, points)
    assert np.allclose(face_centre(lms),
                       0.5 * (eyes.mean(0) + lms[NOSE_TIP]))
