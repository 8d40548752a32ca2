"""The warp of a clip's frames and what a camera adds to them."""
import cv2
import numpy as np
import pytest
from tsfmicro_synthesis.frame_sources import FrameSource, photo_sources
from tsfmicro_synthesis.render import Nuisance, render_frames, sensor_noise

SIZE = 96


def _grey_sources(num, level=100.0):
    """A uniform grey 'photo' placed 1:1 in the frame, the face at rest."""
    image = np.full((SIZE, SIZE, 3), level, np.uint8)
    landmarks = np.random.default_rng(0).uniform(20, 76, (478, 2))
    eye = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    return [
        FrameSource([image], [1.0], [eye], landmarks, np.zeros(4))
        for _ in range(num)
    ]


def test_sensor_noise_has_the_asked_spread():
    noise = sensor_noise(np.random.default_rng(0), (200, 200, 3), 1.5)
    assert noise.dtype == np.float32 and noise.shape == (200, 200, 3)
    assert abs(float(noise.mean())) < 0.02
    assert float(noise.std()) == pytest.approx(1.5, rel=0.02)


def test_a_still_face_is_the_photo_warped_onto_the_face_frame(photo_face):
    image, points = photo_face
    sources = photo_sources(image, points, SIZE, 3, np.zeros((3, 4)),
                            (0, 0, 0, 0))
    frames = list(render_frames(sources, '12', np.zeros(3), SIZE))
    assert len(frames) == 3 and frames[0].dtype == np.uint8
    assert all(np.array_equal(f, frames[0]) for f in frames)
    direct = cv2.warpAffine(image, sources[0].to_face[0], (SIZE, SIZE),
                            flags=cv2.INTER_CUBIC,
                            borderMode=cv2.BORDER_REFLECT101)
    assert np.abs(frames[0].astype(float) - direct).mean() < 1.0


def test_the_action_units_move_the_face_only_when_the_amplitude_is_up(
        photo_face):
    image, points = photo_face
    sources = photo_sources(image, points, SIZE, 3, np.zeros((3, 4)),
                            (0, 0, 0, 0))
    rest, apex, _ = (f.astype(float) for f in render_frames(
        sources, '12', np.array([0.0, 4.0, 0.0]), SIZE))
    moved = np.abs(apex - rest).max(-1)
    corners = np.rint(sources[0].landmarks[[61, 291]]).astype(int)
    assert all(moved[y - 4:y + 5, x - 4:x + 5].max() > 10
               for x, y in corners)
    assert moved[:SIZE // 4].max() == 0  # the forehead stays


def test_lighting_changes_slowly_and_noise_needs_a_generator():
    sources = _grey_sources(5)
    frames = [
        f.astype(float) for f in render_frames(
            sources, '12', np.zeros(5), SIZE,
            nuisance=Nuisance(light_gain=0.1, light_tilt=0.2))
    ]
    assert np.all(frames[0] == 100)  # the change starts from nothing
    assert frames[-1].mean() == pytest.approx(110, abs=0.5)
    left, right = frames[-1][:, 0].mean(), frames[-1][:, -1].mean()
    assert left == pytest.approx(110 * 0.8, abs=1)
    assert right == pytest.approx(110 * 1.2, abs=1)
    noisy = Nuisance(noise_sigma=2.0)
    with pytest.raises(ValueError, match='needs a random generator'):
        next(render_frames(sources, '12', np.zeros(5), SIZE,
                           nuisance=noisy))
    frame = next(render_frames(sources, '12', np.zeros(5), SIZE,
                               nuisance=noisy,
                               rng=np.random.default_rng(0)))
    assert float(frame.astype(float).std()) == pytest.approx(2.0, rel=0.1)
