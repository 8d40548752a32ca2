"""Aligning whole long videos offline, and tools/data/align_long_videos.py."""
import json
import os.path as osp
import runpy
import sys

import cv2
import numpy as np
import pytest
from conftest import REPO_ROOT
from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import LongVideoConfig

from mmaction_tsfmicro.annotations import load_annotation_file
from mmaction_tsfmicro.preprocessing.alignment.tracking import NoFaceError
from mmaction_tsfmicro.preprocessing.alignment.videos import (ALIGNMENT_FILE,
                                                              align_frames,
                                                              align_video_task,
                                                              aligned_videos,
                                                              split_settings)

REPO = REPO_ROOT
CONFIG = LongVideoConfig(seed=2, videos_per_subject=1, duration=(3.0, 3.0),
                         frame_size=128, expressions=(1, 1),
                         blinks_per_minute=(10, 10),
                         sources=('feat/0-f15-hao-ph.jpg',
                                  'skimage/astronaut.png'))
ALIGN = dict(size=48, detector='mediapipe', check_every=30)


@pytest.fixture(scope='module')
def raw(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('raw_long'))
    build_long_videos(root, CONFIG, workers=1, log=None)
    return root


def run_tool(argv, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['align_long_videos.py'] + argv)
    runpy.run_path(osp.join(REPO, 'tools/data/align_long_videos.py'),
                   run_name='__main__')


def test_settings_are_split_and_checked():
    out = split_settings(dict(size=64, eye_y=0.4, detector='haar',
                              check_every=5))
    assert out == dict(detector='haar', check_every=5,
                       target=dict(size=64, eye_y=0.4))
    with pytest.raises(KeyError, match='unknown keys'):
        split_settings(dict(size=64, colour='red'))


def test_a_video_from_its_frames_and_from_its_file(raw, tmp_path):
    data = load_annotation_file(osp.join(raw, 'spotting.json'))
    entry = data['metainfo']['videos'][0]
    crops = {}
    for source in ('frames', 'video'):
        dst = str(tmp_path / source)
        result = align_video_task(dict(
            src=raw, dst=dst, layout=data['metainfo']['layout'],
            video=entry, face_alignment=ALIGN, source=source))
        assert result['frames'] == entry['num_frames']
        assert result['statuses']['detected'] == 1
        folder = osp.join(dst, 'rawpic', entry['subject'], entry['video'])
        record = json.load(open(osp.join(folder, ALIGNMENT_FILE)))
        assert record['num_frames'] == entry['num_frames']
        assert len(record['matrices']) == entry['num_frames']
        assert record['face_alignment'] == ALIGN
        last = cv2.imread(osp.join(folder, f"img{entry['num_frames']}.jpg"))
        assert last.shape == (48, 48, 3)
        crops[source] = cv2.imread(osp.join(folder, 'img1.jpg')).astype(
            float)
    # the video file holds the frames (Motion-JPEG): the same face
    assert np.abs(crops['frames'] - crops['video']).mean() < 8


def test_a_video_must_start_with_a_face():
    from mmaction_tsfmicro.preprocessing.alignment.tracking import FaceTracker
    blank = [np.zeros((96, 96, 3), np.uint8)] * 3
    with FaceTracker(dict(size=32), 'mediapipe') as tracker:
        with pytest.raises(NoFaceError, match='v1: no face found on frame 0'):
            list(align_frames(iter(blank), tracker, 'v1'))


def test_the_tool_aligns_every_video_once(raw, tmp_path, monkeypatch,
                                          capsys):
    dst = str(tmp_path / 'aligned')
    ann = osp.join(raw, 'spotting.json')
    run_tool([ann, raw, dst, '--size', '40', '--subjects', 's02'],
             monkeypatch)
    assert aligned_videos(dst) == ['rawpic/s02/02_0101demo1']
    run_tool([ann, raw, dst, '--size', '40'], monkeypatch)
    out = capsys.readouterr().out
    assert '2 videos, 1 already aligned; aligning 1' in out
    assert aligned_videos(dst) == ['rawpic/s01/01_0101demo1',
                                   'rawpic/s02/02_0101demo1']
    data = load_annotation_file(osp.join(dst, 'spotting.json'))
    assert data['metainfo']['aligned']['face_alignment']['size'] == 40
    assert data['data_list'] == load_annotation_file(ann)['data_list']
    report = json.load(open(osp.join(dst, 'align_report.json')))
    assert report['videos'] == 2 and report['aligned_now'] == 1


def test_tool_errors_in_one_line(raw, tmp_path, monkeypatch, capsys):
    for argv, message in (
            ([str(tmp_path / 'none.json'), raw, str(tmp_path)],
             'file not found'),
            ([osp.join(raw, 'spotting.json'), raw, str(tmp_path),
              '--subjects', 's09'], "no videos of subjects ['s09']"),
            ([osp.join(raw, 'spotting.json'), str(tmp_path / 'nowhere'),
              str(tmp_path)], 'nowhere: folder not found')):
        with pytest.raises(SystemExit) as exc:
            run_tool(argv, monkeypatch)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.count('\n') == 0 and message in err, err
