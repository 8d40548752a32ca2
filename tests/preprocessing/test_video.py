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


def _mjpeg(path, count, size=48):
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 30,
                             (size, size))
    rng = np.random.default_rng(0)
    for _ in range(count):
        writer.write(rng.integers(0, 255, (size, size, 3), np.uint8))
    writer.release()
    return str(path)


def test_a_video_cut_short_is_not_taken_for_a_whole_one(tmp_path, capfd):
    whole = _mjpeg(tmp_path / 'whole.avi', 40)
    assert len(list(iter_frames(whole))) == 40
    data = open(whole, 'rb').read()
    cut = tmp_path / 'cut.avi'
    cut.write_bytes(data[:len(data) // 2])
    capfd.readouterr()
    read = 0
    with pytest.raises(ValueError) as err:
        for _ in iter_frames(str(cut)):
            read += 1
    assert 10 < read < 30
    assert str(err.value) == (
        f'{cut}: the video ends after {read} of the 40 frames its header '
        'gives (cut short or damaged); copy it again')
    # what FFmpeg printed is a note of the error, not on the terminal
    assert capfd.readouterr().err == ''
    # reading fewer frames than it holds is fine
    assert len(list(iter_frames(str(cut), max_frames=read))) == read
    with pytest.raises(ValueError, match=f'ends after {read} of the 40'):
        read_frames_at(str(cut), [35])


def test_a_damaged_file_prints_nothing_but_the_error(tmp_path, capfd):
    whole = open(feat_file('single_face.mp4'), 'rb').read()
    half = tmp_path / 'half.mp4'
    half.write_bytes(whole[:len(whole) // 2])
    capfd.readouterr()
    with pytest.raises(ValueError) as err:
        read_frames_at(str(half), [0])
    assert str(err.value) == (f'{half}: cannot read the video (not a video '
                              'file OpenCV can decode, or cut short)')
    assert capfd.readouterr().err == ''
    assert 'moov atom not found' in '\n'.join(err.value.__notes__)
