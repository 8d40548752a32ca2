import cv2
import numpy as np
import pytest
from tsfmicro_synthesis.action_units import eye_centres, face_axes
from tsfmicro_synthesis.frame_sources import (photo_sources, prepare_photo,
                                              video_sources)
from tsfmicro_synthesis.geometry import (EYE_DIST, EYE_Y, apply_affine,
                                         invert_affine, pose_extent,
                                         pose_matrix)
from tsfmicro_synthesis.render import render_frames

SIZE = 160


@pytest.mark.parametrize('size', [160, 400])  # photo scaled down, up
def test_photo_is_prepared_at_the_frame_scale(photo_face, size):
    image, points = photo_face
    prepared, pts = prepare_photo(image, points, size)
    # rendering samples the prepared photo at about 1:1
    _, _, iod = face_axes(pts)
    assert iod == pytest.approx(EYE_DIST * size, rel=0.02)
    # the landmarks are mapped with the pixels (one scale, one shift)
    ones = np.ones((len(points), 1))
    m = np.linalg.lstsq(np.hstack([points, ones]), pts, rcond=None)[0].T
    assert np.allclose(apply_affine(m, points), pts, atol=1e-6)
    assert m[0, 0] == pytest.approx(m[1, 1]) and abs(m[0, 1]) < 1e-9
    back = cv2.warpAffine(prepared, invert_affine(m),
                          (image.shape[1], image.shape[0]),
                          flags=cv2.INTER_LINEAR).astype(float)
    if m[0, 0] < 1:  # area averaging blurs
        image = cv2.GaussianBlur(image, (0, 0), 0.5 / m[0, 0])
    lo, hi = points.min(0).astype(int), points.max(0).astype(int)
    face = (slice(lo[1], hi[1]), slice(lo[0], hi[0]))
    assert np.abs(back - image)[face].mean() < 2.0


def test_photo_sources_hold_one_image_and_the_drift(photo_face):
    image, points = photo_face
    drift = np.random.default_rng(0).normal(0, 0.1, (6, 4))
    sources = photo_sources(image, points, SIZE, 6, drift, (0, 0, 0, 0))
    assert len(sources) == 6
    for t, src in enumerate(sources):
        assert src.images[0] is image and src.weights == [1.0]
        assert np.array_equal(src.pose, drift[t])
        assert np.array_equal(src.landmarks, sources[0].landmarks)
    assert np.allclose(eye_centres(sources[0].landmarks),
                       [[(0.5 - EYE_DIST / 2) * SIZE, EYE_Y * SIZE],
                        [(0.5 + EYE_DIST / 2) * SIZE, EYE_Y * SIZE]],
                       atol=1e-6)


def test_video_frames_are_stabilized_and_head_motion_capped(photo_face):
    """A 'video' of a photo moved by known similarities: stabilized onto its
    first frame, its head motion scaled down to the clip's drift."""
    image, points = photo_face
    h, w = image.shape[:2]
    rng = np.random.default_rng(3)
    centre = points.mean(0)
    poses = [pose_matrix((0, 0, 0, 0), centre)] + [
        pose_matrix(rng.normal(0, (6, 6, 0.03, 0.02)), centre)
        for _ in range(7)
    ]
    frames = {
        t: cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REFLECT101)
        for t, m in enumerate(poses)
    }
    track = np.stack([apply_affine(m, points) for m in poses])
    still = video_sources(frames, track, 0, 8, SIZE, 15, max_px=0.0,
                          jitter=(0, 0, 0, 0))
    assert len(still) == 15
    # frames in between blend the two nearest real frames
    assert [len(s.images) for s in still[:3]] == [1, 2, 1]
    assert still[1].weights == pytest.approx([0.5, 0.5])
    out = np.stack(list(render_frames(still, '12', np.zeros(15),
                                      SIZE))).astype(np.float32)
    # the head stands still in the output although it moved by ~6 px
    face = (slice(SIZE // 4, 3 * SIZE // 4), ) * 2
    assert np.abs(out[:, face[0], face[1]] -
                  out[0, face[0], face[1]]).mean() < 2.0
    # eyes where the face frame puts them
    eyes = eye_centres(still[0].landmarks)
    assert np.allclose(eyes, [[(0.5 - EYE_DIST / 2) * SIZE, EYE_Y * SIZE],
                              [(0.5 + EYE_DIST / 2) * SIZE, EYE_Y * SIZE]],
                       atol=1e-6)
    moving = video_sources(frames, track, 0, 8, SIZE, 15, max_px=1.5,
                           jitter=(0, 0, 0, 0))
    extent = pose_extent(np.stack([s.pose for s in moving]),
                         1.2 * EYE_DIST * SIZE)
    assert extent.max() == pytest.approx(1.5)
    assert extent[0] < 1e-9
