"""LoadClipKeyFrames: a plain clip (video or frame folder, key frames or
none) read, aligned and paired inside the pipeline."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import TRANSFORMS
from mmaction_tsfmicro.preprocessing.video import iter_frames
from tsfmicro_synthesis.clip_video import write_clip_video

PREPROCESSING = dict(
    alignment=dict(size=112, eye_y=0.36, eye_dist=0.32, nose_y=0.58,
                   use_nose=False), detector='mediapipe')


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    root = tmp_path_factory.mktemp('clip')
    video = str(root / 'clip.mp4')
    truth = write_clip_video(video, 'feat/0-f1-su-ph.jpg', 'disgust', 3004)
    folder = root / 'frames'
    folder.mkdir()
    for i, frame in enumerate(iter_frames(video)):
        cv2.imwrite(str(folder / f'img_{i + 1:05d}.jpg'), frame)
    return dict(video=video, folder=str(folder), truth=truth)


def build(**kwargs):
    return TRANSFORMS.build(dict(type='LoadClipKeyFrames', **kwargs))


def test_a_video_without_key_frames(clip):
    results = build(face_alignment=PREPROCESSING)(
        dict(filename=clip['video']))
    truth = clip['truth']
    key = results['key_frames']
    assert key['onset'] == 0 and key['apex_estimated']
    assert key['frames_read'] == truth['num_frames']
    # the apex found from both ends lands near the rendered one
    assert abs(key['apex'] - truth['apex']) <= 4, key
    assert list(results['frame_inds']) == [0, key['apex']]
    assert [img.shape for img in results['imgs']] == [(112, 112, 3)] * 2
    record = results['alignment']
    assert record['detector'] == 'mediapipe'
    assert 0 <= record['residual_px'] <= record['max_motion_px']
    assert results['warnings'] == []


def test_given_key_frames_are_used(clip):
    truth = clip['truth']
    results = build(face_alignment=PREPROCESSING)(dict(
        filename=clip['video'], onset=truth['onset'], apex=truth['apex']))
    assert results['key_frames'] == dict(
        onset=truth['onset'], apex=truth['apex'], apex_estimated=False,
        frames_read=truth['apex'] - truth['onset'] + 1)
    assert list(results['frame_inds']) == [truth['onset'], truth['apex']]


def test_a_frame_folder_counts_by_file_number(clip):
    truth = clip['truth']
    results = build(face_alignment=PREPROCESSING)(dict(
        frame_dir=clip['folder'], onset=truth['onset'] + 1,
        apex=truth['apex'] + 1))
    assert list(results['frame_inds']) == [truth['onset'] + 1,
                                           truth['apex'] + 1]
    # MMAction2's rawframes input: no key frames, numbers from 1
    results = build(face_alignment=PREPROCESSING)(dict(
        frame_dir=clip['folder'], total_frames=truth['num_frames'],
        filename_tmpl='img_{:05}.jpg', start_index=1))
    assert results['key_frames']['onset'] == 1
    assert abs(results['key_frames']['apex'] - 1 - truth['apex']) <= 4


def test_aligned_frames_are_taken_as_they_are(clip, tmp_path):
    results = build(face_alignment=PREPROCESSING)(
        dict(filename=clip['video']))
    for i, img in enumerate(results['imgs']):
        cv2.imwrite(str(tmp_path / f'{i}.png'), img[..., ::-1])
    (tmp_path / 'alignment.json').write_text(json.dumps({}))
    again = build(face_alignment=PREPROCESSING)(dict(frame_dir=str(tmp_path)))
    assert again['alignment'] is None and again['warnings'] == []
    np.testing.assert_array_equal(again['imgs'][1], results['imgs'][1])
    # whole camera frames given as aligned: a warning, not silence
    raw = build(face_alignment=PREPROCESSING)(
        dict(filename=clip['video'], aligned=True))
    (warning, ) = raw['warnings']
    assert warning.startswith(f"{clip['video']} (frame 0): given as "
                              'aligned, but its face is not where the '
                              'aligned faces are')


def test_bad_clips_are_named(clip, tmp_path):
    with pytest.raises(ValueError, match=r'clip\.mp4: more than 10 frames '
                       r'to search for an apex \(max_frames\)'):
        build(max_frames=10)(dict(filename=clip['video']))
    with pytest.raises(ValueError, match=r'clip\.mp4: has 34 frames; frame '
                       r'99 was asked for'):
        build()(dict(filename=clip['video'], onset=3, apex=99))
    with pytest.raises(FileNotFoundError,
                       match=r'frames: no frame numbered 99 \(frames 1\.\.34'):
        build()(dict(frame_dir=clip['folder'], onset=3, apex=99))
    (tmp_path / 'a1.jpg').write_bytes(b'')
    (tmp_path / 'b1.png').write_bytes(b'')
    with pytest.raises(FileNotFoundError, match='several kinds of numbered '
                       r'images \(aN\.jpg, bN\.png\)'):
        build()(dict(frame_dir=str(tmp_path)))
    with pytest.raises(KeyError, match='neither filename'):
        build()(dict(label=-1))
    with pytest.raises(ValueError, match="needs 'alignment'"):
        build(face_alignment=dict(detector='mediapipe'))
    blank = tmp_path / 'blank.avi'
    writer = cv2.VideoWriter(str(blank), cv2.VideoWriter_fourcc(*'MJPG'), 30,
                             (64, 64))
    for _ in range(5):
        writer.write(np.zeros((64, 64, 3), np.uint8))
    writer.release()
    with pytest.raises(ValueError, match=r'blank\.avi: no face found on the '
                       r'onset \(frame 0\)'):
        build(face_alignment=PREPROCESSING)(dict(filename=str(blank)))
    assert osp.isfile(blank)
