"""Frames of a real face video."""
import numpy as np

from mmaction_tsfmicro.preprocessing.video import (frame_count, iter_frames,
                                                   read_frames)

from .conftest import feat_file


def test_read_the_first_frames():
    path = feat_file('single_face.mp4')
    total = frame_count(path)
    assert total > 40
    frames = read_frames(path, 3)
    assert len(frames) == 3
    assert frames[0].ndim == 3 and frames[0].dtype == np.uint8
    every = list(iter_frames(path))
    assert len(every) == total
    for a, b in zip(frames, every):
        np.testing.assert_array_equal(a, b)
    assert len(read_frames(path, total + 10)) == total  # not more than it has
    assert read_frames(path, 0) == []


def test_a_missing_video_has_no_frames(tmp_path):
    path = str(tmp_path / 'none.mp4')
    assert read_frames(path, 5) == [] and frame_count(path) == 0
