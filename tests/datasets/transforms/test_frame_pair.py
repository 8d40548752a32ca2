import os

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.datasets.transforms import SelectFramePair
from mmaction_tsfmicro.datasets.transforms.frame_pair import search_radius


def write_frames(folder, frames):
    os.makedirs(folder, exist_ok=True)
    for number, img in frames.items():
        cv2.imwrite(os.path.join(folder, f'img{number}.png'), img)
    return dict(frame_dir=str(folder), filename_tmpl='img{}.png',
                subject='sub01', clip='EP01')


def test_search_radius_matches_the_official_recipe():
    assert search_radius(0, 40, 0.15 / 4) == 1  # floor(1.5)
    assert search_radius(0, 53, 0.15 / 4) == 1  # floor(1.9875)
    assert search_radius(0, 54, 0.15 / 4) == 2  # floor(2.025)
    assert search_radius(100, 130, 0.1) == 3
    assert search_radius(100, 129, 0.1) == 2
    assert search_radius(5, 5, 0.1) == 0


def test_annotated_pair():
    out = SelectFramePair()(dict(onset_frame=10, apex_frame=20))
    assert out['frame_inds'].tolist() == [10, 20]
    assert out['clip_len'] == 2 and out['num_clips'] == 1


def test_candidates_are_the_official_window():
    t = SelectFramePair(mode='max_diff', ratio=0.1)
    pairs = t.candidates(100, 120)  # r = 2
    assert pairs[0] == (100, 120)
    assert sorted(pairs) == sorted((100 + i, 120 - j) for i in range(3)
                                   for j in range(3))


def test_max_diff_is_computed_in_float_not_wrapped_uint8(tmp_path):
    """The official code subtracts uint8 frames, so 0 - 1 wraps to 255.

    Here onset 10 is black and apex 50 is brighter by 100 everywhere, while
    frame 11 is 1 grey level brighter than the apex: in uint8 the pair
    (11, 50) looks hugely different (50 - 11 wraps to 255), in float it is
    the most similar pair. The float distance must pick (10, 50).
    """
    size = (8, 8, 3)
    frames = {
        10: np.zeros(size, np.uint8),
        11: np.full(size, 101, np.uint8),
        49: np.full(size, 90, np.uint8),
        50: np.full(size, 100, np.uint8),
    }
    results = write_frames(tmp_path / 'clip', frames)
    results.update(onset_frame=10, apex_frame=50)
    t = SelectFramePair(mode='max_diff', ratio=1 / 40)  # r = 1
    assert t(dict(results))['frame_inds'].tolist() == [10, 50]

    # what the wrapping arithmetic would have chosen
    wrapped = {(o, a): np.linalg.norm(frames[a] - frames[o])
               for o, a in t.candidates(10, 50)}
    assert max(wrapped, key=wrapped.get) == (11, 50)


def test_max_diff_picks_the_most_different_pair_and_caches(tmp_path):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 200, (8, 8, 3)).astype(np.uint8)
    frames = {n: base.copy() for n in (20, 21, 22, 58, 59, 60)}
    frames[21] = np.clip(base.astype(int) - 40, 0, 255).astype(np.uint8)
    frames[59] = np.clip(base.astype(int) + 50, 0, 255).astype(np.uint8)
    results = write_frames(tmp_path / 'c', frames)
    results.update(onset_frame=20, apex_frame=60)
    t = SelectFramePair(mode='max_diff', ratio=0.05)  # r = 2
    assert t(dict(results))['frame_inds'].tolist() == [21, 59]
    for n in frames:
        os.remove(os.path.join(results['frame_dir'], f'img{n}.png'))
    # the choice is cached: no frame is read again
    assert t(dict(results))['frame_inds'].tolist() == [21, 59]


def test_max_diff_missing_window_frame_is_named(tmp_path):
    results = write_frames(tmp_path / 'c', {
        n: np.zeros((4, 4, 3), np.uint8)
        for n in (0, 1, 40)
    })
    results.update(onset_frame=0, apex_frame=40)
    with pytest.raises(FileNotFoundError, match=r'img39.png: frame 39 of '
                       r'sample sub01/EP01 not found'):
        SelectFramePair(mode='max_diff', ratio=1 / 40)(results)


def test_jitter_stays_in_the_window_and_varies():
    t = SelectFramePair(mode='jitter', ratio=0.1)
    seen = set()
    np.random.seed(0)
    for _ in range(200):
        seen.add(tuple(t(dict(onset_frame=100, apex_frame=130))
                       ['frame_inds'].tolist()))
    assert seen == {(100 + i, 130 - j) for i in range(4) for j in range(4)}


def test_bad_arguments_and_order():
    with pytest.raises(ValueError, match="mode must be one of"):
        SelectFramePair(mode='best')
    with pytest.raises(ValueError, match='ratio must be >= 0'):
        SelectFramePair(ratio=-1)
    with pytest.raises(ValueError, match='sample sub01/EP9: apex 3 comes '
                       'before onset 8'):
        SelectFramePair()(dict(onset_frame=8, apex_frame=3, subject='sub01',
                               clip='EP9'))


def test_estimated_apex_is_the_frame_farthest_from_the_onset(tmp_path):
    """The annotated apex (12) is ignored: frame 14 differs most from the
    onset (L2 over all pixels), frame 16 (the offset) less."""
    base = np.full((6, 6, 3), 100, np.uint8)
    frames = {n: base.copy() for n in range(10, 17)}
    frames[11][:2] = 120  # a small change: 12 pixels x 3 channels by 20
    frames[14][:, :3] = 130  # a larger one: 18 pixels by 30
    frames[15][0, 0, 0] = 255  # one value by 155: L2 155 < 30 * sqrt(54)
    frames[16][:3] = 90
    results = write_frames(tmp_path / 'c', frames)
    results.update(onset_frame=10, apex_frame=12, offset_frame=16)
    t = SelectFramePair(mode='estimated_apex')
    out = t(dict(results))
    assert out['frame_inds'].tolist() == [10, 14]
    assert out['estimated_apex_frame'] == 14
    assert out['clip_len'] == 2
    # cached: the frames are not read again
    for n in frames:
        os.remove(os.path.join(results['frame_dir'], f'img{n}.png'))
    assert t(dict(results))['frame_inds'].tolist() == [10, 14]


def test_estimated_apex_ties_go_to_the_earliest_frame(tmp_path):
    base = np.zeros((4, 4, 3), np.uint8)
    bright = np.full((4, 4, 3), 50, np.uint8)
    results = write_frames(tmp_path / 'c', {
        1: base, 2: base, 3: bright, 4: bright, 5: base})
    results.update(onset_frame=1, apex_frame=5, offset_frame=5)
    assert SelectFramePair(mode='estimated_apex')(
        results)['frame_inds'].tolist() == [1, 3]


def test_estimated_apex_of_a_one_frame_clip_is_the_onset(tmp_path):
    results = write_frames(tmp_path / 'c', {7: np.zeros((4, 4, 3),
                                                        np.uint8)})
    results.update(onset=7, apex=7, offset=7)  # the annotation's names
    assert SelectFramePair(mode='estimated_apex')(
        results)['frame_inds'].tolist() == [7, 7]


def test_estimated_apex_errors_name_the_sample(tmp_path):
    results = write_frames(tmp_path / 'c', {
        n: np.zeros((4, 4, 3), np.uint8) for n in (1, 2)})
    results.update(onset_frame=1, apex_frame=2, offset_frame=3)
    with pytest.raises(FileNotFoundError, match=r'img3.png: frame 3 of '
                       r'sample sub01/EP01 not found'):
        SelectFramePair(mode='estimated_apex')(dict(results))
    results.update(offset_frame=0)
    with pytest.raises(ValueError, match='sample sub01/EP01: offset 0 '
                       'comes before onset 1'):
        SelectFramePair(mode='estimated_apex')(dict(results))
    del results['offset_frame']
    with pytest.raises(KeyError, match='no offset frame'):
        SelectFramePair(mode='estimated_apex')(dict(results))
