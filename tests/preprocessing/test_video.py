"""Frames of a real face video."""
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.video import (frame_count, iter_frames,
                                                   read_frames, read_frames_at,
                                                   video_fps)

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


def test_a_missing_or_unreadable_video_is_named(tmp_path):
    path = str(tmp_path / 'none.mp4')
    with pytest.raises(FileNotFoundError, match=f'{path}: video not found'):
        read_frames(path, 5)
    assert frame_count(path) == 0
    text = tmp_path / 'notes.mp4'
    text.write_text('not a video')
    with pytest.raises(ValueError, match='cannot read the video'):
        list(iter_frames(str(text)))


def test_frames_by_index_and_the_frame_rate():
    path = feat_file('single_face.mp4')
    total = frame_count(path)
    first, third = read_frames_at(path, [0, 2])
    np.testing.assert_array_equal(first, read_frames(path, 1)[0])
    np.testing.assert_array_equal(third, read_frames(path, 3)[2])
    assert video_fps(path) > 0
    with pytest.raises(ValueError, match=rf'frame {total} is outside the '
                       rf'video \(frames 0..{total - 1}\)'):
        read_frames_at(path, [total])
