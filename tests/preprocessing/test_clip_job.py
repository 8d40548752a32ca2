"""The per-clip job on real face video laid out in each dataset's layout."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.preprocessing import clip_job
from mmaction_tsfmicro.preprocessing.alignment import AlignmentTarget
from mmaction_tsfmicro.preprocessing.clip_job import (ClipError, process_clip,
                                                      read_frame,
                                                      select_frames)
from mmaction_tsfmicro.preprocessing.clip_spec import (ClipSpec,
                                                       PreprocessConfig,
                                                       key_frames)
from mmaction_tsfmicro.preprocessing.runner import run_clips
from mmaction_tsfmicro.preprocessing.summary import load_alignment

from .conftest import video_frames, write_clip

SIZE = 112
VIDEO = 'single_face.mp4'


def config(tmp_path, layout='casme2', **kwargs):
    return PreprocessConfig(
        src=str(tmp_path / 'raw'), dst=str(tmp_path / 'out'), layout=layout,
        target=AlignmentTarget(size=SIZE), **kwargs)


def spec(subject='sub01', clip='EP01', samples=((1, 3, 5), )):
    return ClipSpec(subject, clip, [
        dict(onset=o, apex=a, offset=f) for o, a, f in samples
    ])


def make_clip(tmp_path, layout='casme2', subject='sub01', clip='EP01',
              first=1, count=5, start=0, video=VIDEO, gray=False):
    frames = video_frames(video, start, count)
    return write_clip(str(tmp_path / 'raw'), layout, subject, clip, frames,
                      first, gray=gray)


def listing(folder):
    return sorted(os.listdir(folder)) if osp.isdir(folder) else []


def assert_nothing_written(tmp_path, subject='sub01'):
    """No output folder and no partial folder of the clip is left."""
    assert listing(tmp_path / 'out' / subject) == []


def test_clip_is_aligned_with_one_transform(tmp_path, mediapipe_detector):
    raw = make_clip(tmp_path)
    cfg = config(tmp_path)
    result = process_clip(spec(), cfg, mediapipe_detector)
    assert (result.status, result.num_frames) == ('done', 5), result.reason
    out_dir = tmp_path / 'out' / 'sub01' / 'EP01'
    assert listing(out_dir) == ['alignment.json'] + [
        f'img{i}.jpg' for i in range(1, 6)
    ]
    meta = load_alignment(str(out_dir))
    assert meta['detector'] == 'mediapipe' and meta['reference_frame'] == 1
    assert meta['frames'] == [1, 2, 3, 4, 5]
    assert [c['frame'] for c in meta['checks']] == [3, 5]
    assert all(c['shift_px'] <= 10 for c in meta['checks'])
    assert meta['landmarks']['num_points'] == 478
    matrix = np.array(meta['matrix'])
    # every written frame is the raw frame warped by that one matrix
    for i, path in enumerate(raw, start=1):
        crop = cv2.imread(str(out_dir / f'img{i}.jpg'))
        assert crop.shape == (SIZE, SIZE, 3)
        expected = cv2.warpAffine(cv2.imread(path), matrix, (SIZE, SIZE))
        assert np.abs(crop.astype(int) - expected).mean() < 2.0
    # the eyes of the onset crop sit on their targets
    again = mediapipe_detector.detect(cv2.imread(str(out_dir / 'img1.jpg')))
    err = np.linalg.norm(again.eyes - cfg.target.eyes(), axis=1)
    assert err.max() < 1.5, err


def test_same_transform_even_when_the_head_moves(tmp_path,
                                                 mediapipe_detector):
    """Frames 0..5 of the video: the head moves, the transform does not."""
    make_clip(tmp_path, count=6, start=0)
    cfg = config(tmp_path, max_shift=None)
    assert process_clip(spec(samples=((1, 3, 6), )), cfg,
                        mediapipe_detector).status == 'done'
    out_dir = tmp_path / 'out' / 'sub01' / 'EP01'
    eyes = [mediapipe_detector.detect(cv2.imread(str(out_dir / f'img{i}.jpg')))
            .eyes for i in (1, 6)]
    moved = np.linalg.norm(eyes[1] - eyes[0], axis=1).max()
    # a per-frame alignment would pin the eyes; one transform lets them move
    # with the head (a re-detection differs by ~1 px at most)
    assert moved > 2.0, moved
    assert load_alignment(str(out_dir))['checks'] == []


def test_samm_gray_frames_stay_gray(tmp_path, mediapipe_detector):
    make_clip(tmp_path, 'samm', '006', '006_1_2', first=5562, count=3,
              gray=True)
    cfg = config(tmp_path, 'samm')
    result = process_clip(
        spec('006', '006_1_2', ((5562, 5563, 5564), )), cfg,
        mediapipe_detector)
    assert result.status == 'done', result.reason
    out_dir = tmp_path / 'out' / '006' / '006_1_2'
    names = [f'006_{n:05d}.jpg' for n in (5562, 5563, 5564)]
    assert listing(out_dir) == sorted(['alignment.json'] + names)
    crop = cv2.imread(str(out_dir / names[0]), cv2.IMREAD_UNCHANGED)
    assert crop.shape == (SIZE, SIZE)


def test_casme3_clip_with_two_samples(tmp_path, mediapipe_detector):
    """CAS(ME)^3 part A: samples share one long clip folder."""
    make_clip(tmp_path, 'casme3', 'spNO.1', 'a', first=0, count=8)
    s = spec('spNO.1', 'a', ((5, 6, 7), (0, 2, 3)))
    assert key_frames(s) == [('onset', 0), ('onset', 5), ('apex', 6),
                             ('offset', 7), ('apex', 2), ('offset', 3)]
    result = process_clip(s, config(tmp_path, 'casme3'), mediapipe_detector)
    assert result.status == 'done', result.reason
    out_dir = tmp_path / 'out' / 'spNO.1' / 'a' / 'color'
    # the samples' frames only: frame 4 lies between them
    assert listing(out_dir) == sorted(['alignment.json'] + [
        f'{i}.jpg' for i in (0, 1, 2, 3, 5, 6, 7)])
    assert load_alignment(str(out_dir))['reference_frame'] == 0


def test_cropped_casme2_renamed_and_all_frames(tmp_path, mediapipe_detector):
    make_clip(tmp_path, 'casme2_cropped', first=1, count=6)
    cfg = config(tmp_path, 'casme2_cropped', out_layout='casme2',
                 frames='all')
    result = process_clip(spec(samples=((2, 3, 4), )), cfg,
                          mediapipe_detector)
    assert (result.status, result.num_frames) == ('done', 6)
    out_dir = tmp_path / 'out' / 'sub01' / 'EP01'
    assert listing(out_dir) == ['alignment.json'] + [
        f'img{i}.jpg' for i in range(1, 7)
    ]
    meta = load_alignment(str(out_dir))
    assert meta['source_layout'].endswith('reg_img{frame}.jpg')
    assert meta['reference_frame'] == 2


def test_no_face_on_onset(tmp_path, mediapipe_detector):
    make_clip(tmp_path, count=3, video='no_face.mp4')
    result = process_clip(spec(samples=((1, 2, 3), )), config(tmp_path),
                          mediapipe_detector)
    path = frame_path('casme2', str(tmp_path / 'raw'), 'sub01', 'EP01', 1)
    assert result.status == 'failed'
    assert result.reason == f'no face found on onset frame 1: {path}'
    assert_nothing_written(tmp_path)


def test_no_face_on_apex(tmp_path, mediapipe_detector):
    raw = make_clip(tmp_path)
    cv2.imwrite(raw[2], video_frames('no_face.mp4', 0, 1)[0])
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'no face found on apex frame 3: {raw[2]}'
    assert_nothing_written(tmp_path)


def test_landmark_jump_is_refused(tmp_path, mediapipe_detector):
    raw = make_clip(tmp_path)
    moved = cv2.warpAffine(
        cv2.imread(raw[4]), np.float32([[1, 0, 40], [0, 1, 0]]), (640, 360))
    cv2.imwrite(raw[4], moved)  # the offset frame jumps 40 raw pixels
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.status == 'failed'
    assert result.reason.startswith('landmarks moved ')
    assert result.reason.endswith(' px (> 10 px at 112 px) between onset '
                                  'frame 1 and offset frame 5')
    shift = float(result.reason.split()[2])
    # 40 raw px times the crop's scale (eyes 0.32 * 112 px apart, ~68 raw)
    assert 40 * 0.32 * 112 / 68 * 0.9 < shift < 40 * 0.32 * 112 / 68 * 1.1
    assert_nothing_written(tmp_path)
    # a looser threshold lets it through
    cfg = config(tmp_path, max_shift=shift + 1)
    assert process_clip(spec(), cfg, mediapipe_detector).status == 'done'


def test_missing_and_unreadable_frames(tmp_path, mediapipe_detector):
    raw = make_clip(tmp_path)
    os.remove(raw[1])
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'missing frame 2: {raw[1]}'
    with open(raw[1], 'wb') as f:
        f.write(b'not an image')
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'cannot decode frame 2: {raw[1]}'
    with open(raw[0], 'rb') as f:
        data = f.read()
    with open(raw[1], 'wb') as f:  # a copy cut short: OpenCV decodes it
        f.write(data[:len(data) // 2])
    assert cv2.imread(raw[1]) is not None
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == ('truncated frame 2 (the JPEG data ends before '
                             f'its end-of-image marker): {raw[1]}')
    assert_nothing_written(tmp_path)
    result = process_clip(spec('sub01', 'EP09'), config(tmp_path),
                          mediapipe_detector)
    assert result.reason == ('clip folder not found: ' +
                             str(tmp_path / 'raw' / 'sub01' / 'EP09'))


def test_failing_frame_mid_clip_leaves_no_partial_output(
        tmp_path, mediapipe_detector, monkeypatch):
    """Frame 4 is neither onset, apex nor offset: the clip fails while its
    frames are being written, and nothing of it stays."""
    raw = make_clip(tmp_path)
    written = []
    real_imwrite = cv2.imwrite

    def spy(path, *args):
        written.append(path)
        return real_imwrite(path, *args)

    monkeypatch.setattr(clip_job.cv2, 'imwrite', spy)
    with open(raw[3], 'wb') as f:
        f.write(b'garbage')
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'cannot decode frame 4: {raw[3]}'
    assert len(written) == 3  # frames 1-3 were written, then removed
    assert_nothing_written(tmp_path)


def test_interrupt_mid_clip_leaves_no_partial_output(tmp_path,
                                                     mediapipe_detector,
                                                     monkeypatch):
    make_clip(tmp_path)
    real_imwrite = cv2.imwrite
    calls = []

    def interrupted(path, *args):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_imwrite(path, *args)

    monkeypatch.setattr(clip_job.cv2, 'imwrite', interrupted)
    with pytest.raises(KeyboardInterrupt):
        process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert_nothing_written(tmp_path)
    # a partial folder left by a killed run is replaced by the next run
    monkeypatch.setattr(clip_job.cv2, 'imwrite', real_imwrite)
    stale = tmp_path / 'out' / 'sub01' / '.EP01.partial'
    stale.mkdir(parents=True)
    (stale / 'img1.jpg').write_bytes(b'old')
    assert process_clip(spec(), config(tmp_path),
                        mediapipe_detector).status == 'done'
    assert listing(tmp_path / 'out' / 'sub01') == ['EP01']


def test_rerun_skips_done_clips(tmp_path, mediapipe_detector):
    make_clip(tmp_path)
    cfg = config(tmp_path)
    assert process_clip(spec(), cfg, mediapipe_detector).status == 'done'
    out = tmp_path / 'out' / 'sub01' / 'EP01' / 'img1.jpg'
    stamp = out.stat().st_mtime_ns
    result = process_clip(spec(), cfg, mediapipe_detector)
    assert (result.status, result.reason) == ('skipped', 'already done')
    # the runner skips without building a detector (an unknown name here)
    results = run_clips([spec()], cfg, detector='not-built', progress=False)
    assert [r.status for r in results] == ['skipped']
    assert out.stat().st_mtime_ns == stamp
    # --overwrite redoes it
    cfg = config(tmp_path, overwrite=True)
    assert process_clip(spec(), cfg, mediapipe_detector).status == 'done'
    assert out.stat().st_mtime_ns != stamp
    assert listing(tmp_path / 'out' / 'sub01') == ['EP01']


def test_foreign_output_folder_is_not_touched(tmp_path, mediapipe_detector):
    make_clip(tmp_path)
    foreign = tmp_path / 'out' / 'sub01' / 'EP01'
    foreign.mkdir(parents=True)
    (foreign / 'mine.txt').write_text('keep')
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.status == 'failed'
    assert result.reason == ('output folder exists without alignment.json '
                             f'(not written by this tool): {foreign}')
    assert listing(foreign) == ['mine.txt']


def test_infinite_shift_checks_and_never_refuses(tmp_path,
                                                 mediapipe_detector):
    """``max_shift=inf`` detects on every key frame and records the
    shifts; ``alignment.json`` holds JSON's Infinity."""
    make_clip(tmp_path)
    cfg = config(tmp_path, max_shift=float('inf'))
    assert process_clip(spec(), cfg, mediapipe_detector).status == 'done'
    out_dir = tmp_path / 'out' / 'sub01' / 'EP01'
    meta = load_alignment(str(out_dir))
    assert meta['max_shift'] == float('inf')
    assert [c['frame'] for c in meta['checks']] == [3, 5]
    text = (out_dir / 'alignment.json').read_text()
    assert '"max_shift": Infinity' in text and text.endswith('}\n')
    assert json.loads(text) == meta


def test_select_frames_all_needs_the_key_frames(tmp_path):
    raw = make_clip(tmp_path, count=4)
    cfg = config(tmp_path, frames='all')
    frames = select_frames(spec(samples=((1, 2, 4), )), cfg)
    assert frames == [(i, raw[i - 1]) for i in range(1, 5)]
    with pytest.raises(ClipError) as err:
        select_frames(spec(), cfg)  # offset 5 is not in the folder
    path = frame_path('casme2', str(tmp_path / 'raw'), 'sub01', 'EP01', 5)
    assert str(err.value) == f'missing annotated frame 5: {path}'
    # annotated: onset .. max(apex, offset) of each sample, no gaps filled
    frames = select_frames(spec(samples=((1, 1, 1), (3, 4, 3))),
                           config(tmp_path))
    assert [f for f, _ in frames] == [1, 3, 4]


def test_read_frame_wants_8_bit(tmp_path):
    path = str(tmp_path / 'deep.png')
    cv2.imwrite(path, np.full((4, 4), 1000, np.uint16))
    with pytest.raises(ClipError, match=f'frame 7 is uint16, not 8-bit: '
                       f'{path}'):
        read_frame(path, 7)
    cv2.imwrite(path, np.full((4, 4, 3), 9, np.uint8))
    assert read_frame(path, 7).shape == (4, 4, 3)
