"""The per-clip job on real face video laid out in each dataset's layout."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing import clips as clips_mod
from mmaction_tsfmicro.preprocessing.alignment import AlignmentTarget
from mmaction_tsfmicro.preprocessing.clips import (ClipSpec,
                                                   PreprocessConfig,
                                                   group_clips, key_frames,
                                                   load_alignment,
                                                   process_clip, summarize)
from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.preprocessing.runner import run_clips

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
        f.write(b'\xff\xd8 truncated')
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'cannot read frame 2: {raw[1]}'
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

    monkeypatch.setattr(clips_mod.cv2, 'imwrite', spy)
    with open(raw[3], 'wb') as f:
        f.write(b'garbage')
    result = process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert result.reason == f'cannot read frame 4: {raw[3]}'
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

    monkeypatch.setattr(clips_mod.cv2, 'imwrite', interrupted)
    with pytest.raises(KeyboardInterrupt):
        process_clip(spec(), config(tmp_path), mediapipe_detector)
    assert_nothing_written(tmp_path)
    # a partial folder left by a killed run is replaced by the next run
    monkeypatch.setattr(clips_mod.cv2, 'imwrite', real_imwrite)
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


def test_group_clips_and_summary():
    recs = [
        dict(dataset='casme3', subject='spNO.1', clip='a_5', clip_dir='a',
             onset=5, apex=6, offset=7),
        dict(dataset='casme3', subject='spNO.1', clip='a_1', clip_dir='a',
             onset=1, apex=2, offset=3),
        dict(dataset='samm', subject='006', clip='x', onset=1, apex=2,
             offset=3),
    ]
    specs = group_clips(recs, 'casme3')
    # samples are grouped by their frame folder, clip_dir
    assert [(s.key, s.clip) for s in specs] == [('spNO.1/a', 'a')]
    assert specs[0].samples == [
        dict(clip='a_5', onset=5, apex=6, offset=7),
        dict(clip='a_1', onset=1, apex=2, offset=3)
    ]
    assert [s.key for s in group_clips(recs)] == ['spNO.1/a', '006/x']
    with pytest.raises(KeyError, match=r"record 0 lacks \['apex'\]"):
        group_clips([dict(subject='s', clip='c', onset=1)])
    with pytest.raises(ValueError, match=r'record 0 \(s/c\): onset 5 > apex '
                       '2'):
        group_clips([dict(subject='s', clip='c', onset=5, apex=2)])
    results = [
        clips_mod.ClipResult('a/b', 'done'),
        clips_mod.ClipResult('a/c', 'skipped', 'already done'),
        clips_mod.ClipResult('a/d', 'failed', 'no face found on onset ...'),
    ]
    assert summarize(results).splitlines() == [
        'clips: 3, done: 1, skipped (already done): 1, failed: 1',
        'FAILED a/d: no face found on onset ...'
    ]


def test_config_refuses_same_roots_and_bad_modes(tmp_path):
    with pytest.raises(ValueError, match='source and output roots are the '
                       'same folder'):
        PreprocessConfig(src=str(tmp_path), dst=str(tmp_path) + '/',
                         layout='casme2')
    with pytest.raises(ValueError, match="frames must be one of"):
        PreprocessConfig(src='a', dst='b', layout='casme2', frames='some')
    with pytest.raises(KeyError, match="unknown frame layout 'smic'"):
        PreprocessConfig(src='a', dst='b', layout='smic')
    json.dumps(AlignmentTarget().to_dict())
