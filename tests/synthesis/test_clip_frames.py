"""Clips rendered from a photo or a video: the AUs where and when planned;
a subject's clips written atomically."""
import dataclasses
import os

import cv2
import numpy as np
import pytest
from tsfmicro_synthesis.action_units import REFERENCE_IOD, displacement_field
from tsfmicro_synthesis.catalogue import read_video, source_path
from tsfmicro_synthesis.clip_frames import (LAYOUT, photo_clip_frames,
                                            render_subject, video_clip_frames)
from tsfmicro_synthesis.plans import DemoConfig, draw_clip_plans
from tsfmicro_synthesis.video_windows import (CALM_THRESHOLD, video_windows,
                                              window_calmness)

from mmaction_tsfmicro.annotations.layouts import list_frames

SIZE = 160


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


@pytest.mark.parametrize('combo,region', [('1+2', 'brows'),
                                          ('12', 'mouth corners')])
def test_action_units_follow_the_tracked_face(man_video, combo, region):
    source, points, _ = man_video
    plan = dataclasses.replace(
        draw_clip_plans(DemoConfig(), 1)[0], action_units=combo,
        amplitude=4.0, au_weights={}, side_weights=(1.0, 1.0),
        num_frames=30, onset=3, apex=14, offset=27, slow=3.0)
    (start, span), = video_windows(points, [plan])
    assert span == 11
    video = read_video(source_path(source), range(start, start + span))
    frames, sources = video_clip_frames(video, points, start, span, plan,
                                        SIZE, nuisances=False)
    frames = list(frames)
    lms = sources[0].landmarks
    iod = np.linalg.norm(lms[362] + lms[263] - lms[33] - lms[133]) / 2
    motion = {
        name: _region_motion(frames[plan.onset:], lms, idx, 0.12 * iod)
        for name, idx in REGIONS.items()
    }
    apex = plan.apex - plan.onset
    # the person's own small movements are there, the AU stands out
    assert abs(int(np.argmax(motion[region])) - apex) <= 1
    others = max(m[apex] for name, m in motion.items() if name != region)
    assert motion[region][apex] > 1.5 * others
    # the window is calm: the real face deforms by less than the threshold
    assert window_calmness(points, span)[start] <= CALM_THRESHOLD


def _small_task(root, photo_face, plans):
    _, points = photo_face
    config = DemoConfig(frame_size=64)
    return dict(root=str(root), subject='sub03',
                source='feat/0-f15-hao-ph.jpg', points=points, plans=plans,
                config=config, part=str(root / '.parts' / 'sub03.json'))


def test_a_subject_is_written_whole_or_not_at_all(tmp_path, photo_face):
    plans = [
        dataclasses.replace(p, num_frames=9, onset=1, apex=4, offset=7)
        for p in draw_clip_plans(DemoConfig(), 3)[:2]
    ]
    part = render_subject(_small_task(tmp_path, photo_face, plans))
    assert part['subject'] == 'sub03' and part['frames'] == 18
    assert part['video_windows'] == [] and part['seconds'] > 0
    assert sorted(os.listdir(tmp_path)) == ['.parts', 'sub03']
    for plan in plans:
        frames = list_frames(LAYOUT, str(tmp_path), 'sub03', plan.clip)
        assert [n for n, _ in frames] == plan.frame_numbers()
        assert cv2.imread(frames[0][1]).shape == (64, 64, 3)
    # a clip that cannot be rendered leaves neither folder nor record
    broken = [dataclasses.replace(plans[0], action_units='99')]
    other = tmp_path / 'other'
    with pytest.raises(KeyError, match='unknown action unit'):
        render_subject(_small_task(other, photo_face, broken))
    assert os.listdir(other) == []
