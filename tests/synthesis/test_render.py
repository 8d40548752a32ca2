import dataclasses

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.synthesis.action_units import (REFERENCE_IOD,
                                                 displacement_field,
                                                 eye_centres)
from mmaction_tsfmicro.synthesis.builder import photo_clip_frames
from mmaction_tsfmicro.synthesis.plans import DemoConfig, draw_clip_plans
from mmaction_tsfmicro.synthesis.render import (
    EYE_DIST, EYE_Y, apply_affine, compose, expression_regions,
    invert_affine, pose_extent, pose_matrix, pose_params, render_frames,
    similarity_fit, synthetic_drift, temporal_profile, video_sources,
    window_calmness)

SIZE = 160


def test_temporal_profile_peaks_once_at_the_apex():
    prof = temporal_profile(40, 4, 17, 33)
    assert prof.shape == (40, )
    assert prof[17] == 1.0 and int(np.argmax(prof)) == 17
    assert np.all(prof[:5] == 0) and np.all(prof[33:] == 0)
    assert np.all(np.diff(prof[4:18]) > 0)
    assert np.all(np.diff(prof[17:34]) < 0)
    with pytest.raises(ValueError, match='onset < apex < offset'):
        temporal_profile(40, 10, 10, 20)


def test_similarity_fit_recovers_a_similarity():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (12, 2))
    true = pose_matrix((3.0, -2.0, 0.2, 0.1), np.array([50.0, 50.0]))
    m = similarity_fit(src, apply_affine(true, src))
    assert np.allclose(m, true, atol=1e-9)
    assert np.allclose(compose(invert_affine(m), m)[:, :2], np.eye(2))
    assert np.allclose(pose_params(true, np.array([50.0, 50.0])),
                       (3.0, -2.0, 0.2, 0.1))


def test_synthetic_drift_starts_still_and_stays_small():
    drift = synthetic_drift(np.random.default_rng(1), 40, 1.5, 60.0)
    assert np.all(drift[0] == 0)
    assert pose_extent(drift, 60.0).max() == pytest.approx(1.5)


def test_window_calmness_ignores_rigid_motion(photo_face):
    _, points = photo_face
    rng = np.random.default_rng(0)
    track = []
    for t in range(20):
        pose = pose_matrix(rng.normal(0, (3, 3, 0.05, 0.02)),
                           points.mean(0))
        frame = apply_affine(pose, points)
        if 12 <= t < 15:  # a real deformation: the chin rises
            frame[expression_regions()['chin']] -= (0, 4.0)
        track.append(frame)
    track = np.stack(track)
    track[18] = np.nan
    scores = window_calmness(track, 5)
    assert scores.shape == (16, )
    assert np.all(scores[:8] < 1e-6)  # rigid motion only
    assert np.all(scores[8:11] > 0.01)  # windows that hold the deformation
    assert np.all(np.isinf(scores[14:]))  # a frame without a face


def _region_motion(frames, points, idx, radius):
    """Optical-flow magnitude from the first frame to every frame, around
    landmarks, with the global (median) motion of the face removed."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    mask = np.zeros((SIZE, SIZE), bool)
    for x, y in points[idx]:
        mask |= (xs - x)**2 + (ys - y)**2 <= radius**2
    lo, hi = points.min(0).astype(int), points.max(0).astype(int)
    face = np.zeros_like(mask)
    face[lo[1]:hi[1], lo[0]:hi[0]] = True
    gray = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]
    out = []
    for g in gray:
        flow = dis.calc(gray[0], g, None)
        flow -= np.median(flow[face], axis=0)
        out.append(np.linalg.norm(flow, axis=-1)[mask].mean())
    return np.array(out)


REGIONS = {
    'mouth corners': [61, 291],
    'brows': [70, 105, 107, 336, 334, 300],
    'nose': [129, 358, 48, 278],
    'chin': [152, 175, 199],
    'eyes': [159, 145, 386, 374],
}


@pytest.mark.parametrize('combo,region', [
    ('12', 'mouth corners'),
    ('1+2', 'brows'),
    ('9', 'nose'),
    ('17', 'chin'),
    ('45', 'eyes'),
])
@pytest.mark.parametrize('nuisances', [False, True])
def test_expression_is_where_and_when_planned(photo_face, combo, region,
                                              nuisances):
    image, points = photo_face
    plan = draw_clip_plans(DemoConfig(), 1)[0]
    plan = dataclasses.replace(plan, action_units=combo, amplitude=3.5,
                               au_weights={}, side_weights=(1.0, 1.0),
                               num_frames=24, onset=3, apex=11, offset=21,
                               drift_px=1.0, noise_sigma=1.5,
                               light_gain=0.03, light_tilt=0.03)
    frames, sources = photo_clip_frames(image, points, plan, SIZE,
                                        nuisances=nuisances)
    frames = list(frames)
    assert len(frames) == 24 and frames[0].shape == (SIZE, SIZE, 3)
    lms = sources[0].landmarks
    iod = np.linalg.norm(lms[362] + lms[263] - lms[33] - lms[133]) / 2
    radius = 0.12 * iod
    motion = {
        name: _region_motion(frames[plan.onset:], lms, idx, radius)
        for name, idx in REGIONS.items()
    }
    apex = plan.apex - plan.onset
    target = motion[region]
    # strongest at the apex (one frame of slack with noise and drift)
    slack = 1 if nuisances else 0
    assert abs(int(np.argmax(target)) - apex) <= slack
    # and clearly stronger there than anywhere else (the brows pull the
    # skin above the eyes along: the eye region gets half the brow motion)
    scale = iod / REFERENCE_IOD
    assert target[apex] > 1.5 * scale
    others = max(m[apex] for name, m in motion.items() if name != region)
    assert target[apex] > 1.8 * others
    if not nuisances:
        # before the onset and after the offset nothing changes at all
        stack = np.stack(frames).astype(np.float32)
        still = np.abs(stack - stack[0]).max(axis=(1, 2, 3))
        assert still[:plan.onset + 1].max() == 0
        assert still[plan.offset:].max() == 0


def test_amplitude_is_stated_in_pixels_of_a_224_face(photo_face):
    """A 3 px amplitude moves the lip corner by about 3 px * IOD / 90."""
    image, points = photo_face
    plan = draw_clip_plans(DemoConfig(), 1)[0]
    plan = dataclasses.replace(plan, action_units='15', amplitude=3.0,
                               au_weights={}, side_weights=(1.0, 1.0),
                               num_frames=12, onset=1, apex=6, offset=10)
    _, sources = photo_clip_frames(image, points, plan, SIZE,
                                   nuisances=False)
    lms = sources[0].landmarks
    iod = np.linalg.norm(lms[362] + lms[263] - lms[33] - lms[133]) / 2
    field = displacement_field(lms, '15', (SIZE, SIZE), step=1)
    x, y = np.rint(lms[61]).astype(int)
    moved = 3.0 * np.linalg.norm(field[y, x])
    expected = 3.0 * np.hypot(0.2, 1.0) * iod / REFERENCE_IOD
    assert moved == pytest.approx(expected, rel=0.1)


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
    assert np.abs(out[:, face[0], face[1]] - out[0, face[0],
                                                  face[1]]).mean() < 2.0
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
