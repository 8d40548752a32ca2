"""Calm windows of a video: rigid head motion does not count."""
import numpy as np
import pytest
from tsfmicro_synthesis.action_units import ACTION_UNITS
from tsfmicro_synthesis.catalogue import find_source, source_path
from tsfmicro_synthesis.face_observation import track_video
from tsfmicro_synthesis.geometry import apply_affine, pose_matrix
from tsfmicro_synthesis.plans import DemoConfig, draw_clip_plans
from tsfmicro_synthesis.video_windows import (CALM_THRESHOLD, choose_window,
                                              expression_regions,
                                              video_windows, window_calmness)


def test_expression_regions_cover_every_anchor():
    regions = expression_regions()
    assert set(regions) == {au.region for au in ACTION_UNITS.values()}
    assert regions['mouth corners'] == sorted(set(regions['mouth corners']))
    for au in ACTION_UNITS.values():
        for anchor in au.anchors:
            assert set(anchor.left + anchor.right) <= set(regions[au.region])


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


def test_choose_window_prefers_calm_windows():
    scores = np.array([np.inf, 0.05, 0.01, 0.03, 0.015, 0.002, np.inf])
    picks = {choose_window(scores, np.random.default_rng(i))
             for i in range(40)}
    assert picks == {2, 4, 5}  # under CALM_THRESHOLD
    assert CALM_THRESHOLD == 0.02
    # fewer than three calm windows: the three calmest
    scores = np.array([0.5, 0.05, 0.3, 0.01, 0.04])
    picks = {choose_window(scores, np.random.default_rng(i))
             for i in range(40)}
    assert picks == {1, 3, 4}
    with pytest.raises(ValueError, match='no video window with a face'):
        choose_window(np.full(4, np.inf), np.random.default_rng(0))


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
