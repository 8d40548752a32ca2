"""Clips from real video: calm windows, tracked landmarks, AU on top."""
import dataclasses

import numpy as np
import pytest

from mmaction_tsfmicro.synthesis.builder import (CALM_THRESHOLD, video_clip_frames,
                                            video_windows)
from mmaction_tsfmicro.synthesis.plans import DemoConfig, draw_clip_plans
from mmaction_tsfmicro.synthesis.render import window_calmness
from mmaction_tsfmicro.synthesis.sources import (find_source, read_video,
                                            source_path, track_video)

from .test_render import REGIONS, SIZE, _region_motion


@pytest.fixture(scope='module')
def man_video(detector):
    source = find_source('feat/single_face.mp4')
    points, count = track_video(source_path(source), detector)
    return source, points, count


def test_track_covers_the_video(man_video):
    _, points, count = man_video
    assert count == 72 and points.shape == (72, 478, 2)
    assert not np.isnan(points).any()


def test_unusable_frames_are_never_chosen(detector):
    source = find_source('feat/WolfgangLanger_Pexels.mp4')
    assert source.frame_ranges == ((0, 56), (228, 472))
    points, _ = track_video(source_path(source), detector,
                            frame_ranges=source.frame_ranges)
    covered = np.isnan(points[:, 0, 0])
    assert covered[56:228].all() and not covered[2:54].any()
    plans = draw_clip_plans(DemoConfig(), 2)
    for start, span in video_windows(points, plans):
        assert not covered[start:start + span].any()


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
