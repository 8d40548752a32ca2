"""FaceTracker: the head's motion is followed, the face found again."""
import dataclasses

import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.alignment import (AlignmentTarget,
                                                       transform_points)
from mmaction_tsfmicro.preprocessing.alignment.tracking import FaceTracker
from tsfmicro_synthesis.catalogue import find_source, load_image
from tsfmicro_synthesis.face_observation import (detect_source,
                                                          shared_detector)
from tsfmicro_synthesis.frame_sources import (photo_sources,
                                                       prepare_photo)
from tsfmicro_synthesis.geometry import (face_centre, invert_affine,
                                                  pose_matrix)
from tsfmicro_synthesis.long_video import (head_motion,
                                                    render_long_video)
from tsfmicro_synthesis.long_video_plans import (LongVideoConfig,
                                                          draw_video_plan)

SIZE = 160
#: Head drift and quick moves, sensor noise and lighting; no expressions
#: and no blinks, so every change is the head's or the camera's.
MOVING = LongVideoConfig(seed=1, duration=(4.0, 4.0), frame_size=SIZE,
                         expressions=(0, 0), blinks_per_minute=(0, 0),
                         drift_px=(3.0, 3.0), moves_per_minute=(30, 30),
                         move_px=(3.0, 3.0))


@pytest.fixture(scope='module')
def face():
    source = find_source('feat/0-f15-hao-ph.jpg')
    found = detect_source(source, shared_detector())
    return load_image(source), found.points


def video(face, config=MOVING):
    image, points = face
    plan = draw_video_plan(config, 's01', 1, 'v', 1)
    return plan, list(render_long_video(image, points, plan, SIZE))


def true_poses(face, plan):
    """The rendered head pose of each frame, as (2, 3) matrices."""
    image, points = face
    img, pts = prepare_photo(image, np.asarray(points, np.float64), SIZE)
    params = head_motion(plan, SIZE, np.random.default_rng(plan.render_seed))
    sources = photo_sources(img, pts, SIZE, 1, params[:1], plan.jitter)
    centre = face_centre(sources[0].landmarks)
    return [pose_matrix(p, centre) for p in params]


def test_tracking_undoes_the_head_motion(face):
    plan, frames = video(face)
    poses = true_poses(face, plan)
    shifts = [np.abs(p[:, 2]).max() for p in poses]
    assert max(shifts) > 2.0, 'the head should move'
    with FaceTracker(AlignmentTarget(size=64), 'mediapipe',
                     check_every=0) as tracker:
        out = [tracker.update(f) for f in frames]
    assert out[0].status == 'detected'
    assert {o.status for o in out[1:]} == {'tracked'}
    # points of the face in frame 0, and where the head took them
    grid = np.stack(np.meshgrid(np.linspace(50, 110, 5),
                                np.linspace(50, 110, 5)), -1).reshape(-1, 2)
    ref = out[0].matrix
    errors = []
    for o, pose in zip(out, poses):
        moved = transform_points(pose, grid)  # frame t
        # the crop puts a face point where frame 0's alignment put it
        errors.append(np.abs(transform_points(o.matrix, moved) -
                             transform_points(ref, grid)).max())
    # in crop pixels (64 px crop, ~0.5 px of the 160 px frame)
    assert max(errors) < 0.3, max(errors)
    assert out[0].image.shape == (64, 64, 3)


@pytest.mark.parametrize('min_points,status', [(4, 'tracked'),
                                               (99, 'redetected')])
def test_a_jump_of_the_face_is_followed(face, min_points, status):
    """Optical flow follows a jump of 32 px; with too few points to track
    (min_points=99) the face is detected again in every frame. Either way
    the alignment continues: the face lands where it was before the
    jump."""
    _, frames = video(face, dataclasses.replace(MOVING, drift_px=(0, 0),
                                                moves_per_minute=(0, 0)))
    jumped = [np.roll(f, (25, -20), axis=(0, 1)) for f in frames[:6]]
    stream = [frames[0] * 0] + frames[:5] + jumped
    with FaceTracker(AlignmentTarget(size=64), 'mediapipe', check_every=0,
                     min_points=min_points) as tracker:
        out = [tracker.update(f) for f in stream]
    assert out[0] is None  # no face yet: nothing to align
    assert out[1].status == 'detected'
    assert {o.status for o in out[2:]} == {status}
    # (the borders of the crop fall outside the frame after the jump)
    before = out[5].image[12:52, 12:52].astype(float)
    after = out[8].image[12:52, 12:52].astype(float)
    assert np.abs(after - before).mean() < 6
    centre = [[32, 23]]  # between the eyes, in the crop
    moved = transform_points(invert_affine(out[8].matrix), centre) - \
        transform_points(invert_affine(out[5].matrix), centre)
    np.testing.assert_allclose(moved, [[-20, 25]], atol=1.0)


def test_checks_take_a_new_reference_when_the_points_drift(face):
    _, frames = video(face)
    with FaceTracker(AlignmentTarget(size=64), 'mediapipe', check_every=3,
                     max_drift=0.0) as tracker:
        statuses = [tracker.update(f).status for f in frames[:10]]
    assert statuses == ['detected', 'tracked', 'tracked', 'redetected',
                        'tracked', 'tracked', 'redetected', 'tracked',
                        'tracked', 'redetected']
