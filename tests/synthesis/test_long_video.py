"""The demo long videos: plans, rendering, the written set and the tool."""
import dataclasses
import json
import os
import os.path as osp
import runpy
import sys

import cv2
import numpy as np
import pytest
from tsfmicro_synthesis.action_units import region_points
from tsfmicro_synthesis.long_video import event_segments, render_long_video
from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import (LongVideoConfig,
                                                 draw_video_plan)
from tsfmicro_synthesis.set_builder import DemoOptionsError

from mmaction_tsfmicro.annotations import load_annotation_file
from mmaction_tsfmicro.spotting.sheets import (find_video_folder,
                                               read_casme2_long_sheet,
                                               read_samm_long_sheet)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PHOTOS = ('feat/0-f15-hao-ph.jpg', 'skimage/astronaut.png')
#: Two faces, one short video each, small frames.
SMALL = LongVideoConfig(seed=3, videos_per_subject=1, duration=(6.0, 6.5),
                        frame_size=96, expressions=(3, 3),
                        blinks_per_minute=(10, 10), moves_per_minute=(10, 10),
                        min_gap=0.4, sources=PHOTOS)


@pytest.fixture(scope='module')
def small_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('long_small'))
    summary = build_long_videos(root, SMALL, workers=1, log=None)
    return root, summary


def test_plans_are_seeded_and_their_events_apart():
    config = LongVideoConfig(seed=5)
    plan = draw_video_plan(config, 's01', 1, '01_0101demo1', 1)
    again = draw_video_plan(config, 's01', 1, '01_0101demo1', 1)
    assert plan.to_dict() == again.to_dict()
    other = draw_video_plan(dataclasses.replace(config, seed=6), 's01', 1,
                            '01_0101demo1', 1)
    assert other.to_dict() != plan.to_dict()
    fps, gap = config.rate, round(config.min_gap * config.rate)
    assert fps == 30.0  # CAS(ME)^2's rate by default
    assert 16 * fps <= plan.num_frames <= 24 * fps
    assert 3 <= len(plan.expressions) <= 5
    assert any(e.kind == 'blink' for e in plan.events)
    for a, b in zip(plan.events, plan.events[1:]):
        assert b.onset > a.offset + gap
    assert plan.events[0].onset >= gap
    assert plan.events[-1].offset <= plan.num_frames - 1 - gap
    for e in plan.expressions:
        assert e.onset < e.apex < e.offset
        # 0.2-0.5 s from onset to offset: 7-16 frames, MEGC's micro range
        assert 7 <= e.offset - e.onset + 1 <= 16
        assert e.action_units != '45' and e.label >= 0
    with pytest.raises(ValueError, match='cannot place'):
        draw_video_plan(dataclasses.replace(config, duration=(2.0, 2.0),
                                            expressions=(9, 9)), 's01', 1,
                        'v', 1)


def test_rendered_video_moves_where_and_when_the_events_are(photo_face):
    image, points = photo_face
    config = dataclasses.replace(SMALL, drift_px=(0.0, 0.0),
                                 moves_per_minute=(0.0, 0.0),
                                 noise=(0.0, 0.0), light=0.0)
    plan = draw_video_plan(config, 's01', 1, 'v', 1)
    frames = np.stack(list(render_long_video(image, points, plan, 96)))
    assert frames.shape == (plan.num_frames, 96, 96, 3)
    again = np.stack(list(render_long_video(image, points, plan, 96)))
    np.testing.assert_array_equal(frames, again)
    rest = frames[0].astype(np.float32)
    diff = np.abs(frames.astype(np.float32) - rest).mean(axis=(1, 2, 3))
    still = np.ones(plan.num_frames, bool)
    for e in plan.events:
        still[e.onset:e.offset + 1] = False
        assert diff[e.apex] > 0.05, f'{e.kind} {e.action_units} invisible'
        assert diff[e.onset] < 1e-6 and diff[e.offset] < 1e-6
    # without head motion, noise and lighting, nothing moves between events
    assert diff[still].max() < 1e-6
    pieces = event_segments(plan)
    assert sum(b - a for a, b, _ in pieces) == plan.num_frames


def test_expressions_move_their_region_more_than_the_rest(photo_face):
    from tsfmicro_synthesis.frame_sources import prepare_photo
    from tsfmicro_synthesis.geometry import apply_affine, face_frame_transform
    image, points = photo_face
    config = dataclasses.replace(SMALL, drift_px=(0.0, 0.0),
                                 moves_per_minute=(0.0, 0.0),
                                 noise=(0.0, 0.0), light=0.0,
                                 amplitude=(4.0, 4.0))
    plan = draw_video_plan(config, 's01', 1, 'v', 1)
    frames = list(render_long_video(image, points, plan, 96))
    _, pts = prepare_photo(image, np.asarray(points, np.float64), 96)
    lms = apply_affine(face_frame_transform(pts, 96, plan.jitter), pts)
    gray = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]
    for e in plan.expressions:
        flow = cv2.calcOpticalFlowFarneback(gray[e.onset], gray[e.apex],
                                            None, 0.5, 3, 9, 3, 5, 1.1, 0)
        mag = np.linalg.norm(flow, axis=-1)
        inside = lms[region_points(e.action_units)].round().astype(int)
        inside = np.clip(inside, 0, 95)
        moved = mag[inside[:, 1], inside[:, 0]].mean()
        assert moved > 2 * np.median(mag), e.action_units


def test_the_set_in_casme2_layout(small_set):
    root, summary = small_set
    assert summary['subjects'] == 2 and summary['videos'] == 2
    assert summary['expressions'] == 6
    data = load_annotation_file(osp.join(root, 'spotting.json'))
    meta = data['metainfo']
    assert meta['layout'] == 'rawpic/{subject}/{clip}/img{frame}.jpg'
    assert meta['fps'] == 30.0 and meta['micro_frames'] == [7, 16]
    assert [v['subject'] for v in meta['videos']] == ['s01', 's02']
    for video in meta['videos']:
        folder = osp.join(root, 'rawpic', video['subject'], video['video'])
        n = video['num_frames']
        assert osp.isfile(osp.join(folder, f'img{n}.jpg'))
        assert not osp.exists(osp.join(folder, f'img{n + 1}.jpg'))
        cap = cv2.VideoCapture(osp.join(root, video['video_file']))
        assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == n
        assert cap.get(cv2.CAP_PROP_FPS) == 30.0
        ok, first = cap.read()
        cap.release()
        jpeg = cv2.imread(osp.join(folder, 'img1.jpg'))
        assert ok and first.shape == jpeg.shape == (96, 96, 3)
        assert np.abs(first.astype(int) - jpeg).mean() < 4
    # the sheet reads as CAS(ME)^2's, with the same intervals
    rows = read_casme2_long_sheet(osp.join(root, 'CAS(ME)^2code_demo.xlsx'))
    assert len(rows) == len(data['data_list']) == 6
    for row, rec in zip(rows, data['data_list']):
        assert row['subject'] == rec['subject'] and row['type'] == 'micro'
        assert find_video_folder(osp.join(root, 'rawpic'), row['subject'],
                                 row['video']) == rec['clip_dir']
        assert (row['onset'], row['apex'], row['offset']) == (
            rec['onset'], rec['apex'], rec['offset'])
        assert row['emotion'] == rec['emotion'] and row['name'] == rec['clip']
    manifest = json.load(open(osp.join(root, 'manifest.json')))
    assert manifest['complete'] and 'not annotated' in manifest['what']


def test_rerun_skips_and_other_options_are_refused(small_set):
    root, _ = small_set
    before = open(osp.join(root, 'spotting.json')).read()
    summary = build_long_videos(root, SMALL, workers=1, log=None)
    assert summary['frames'] == 0 and len(summary['skipped']) == 2
    assert open(osp.join(root, 'spotting.json')).read() == before
    with pytest.raises(DemoOptionsError, match='seed: 3 -> 4'):
        build_long_videos(root, dataclasses.replace(SMALL, seed=4),
                          workers=1, log=None)


def test_samm_layout_and_same_seed_same_bytes(tmp_path):
    config = dataclasses.replace(SMALL, layout='samm', fps=50.0,
                                 duration=(4.0, 4.0), expressions=(2, 2),
                                 sources=PHOTOS[:1], write_video=False)
    roots = [str(tmp_path / 'a'), str(tmp_path / 'b')]
    for root in roots:
        build_long_videos(root, config, workers=1, log=None)
    data = load_annotation_file(osp.join(roots[0], 'spotting.json'))
    video = data['metainfo']['videos'][0]
    assert video['video'] == '001_1' and video['video_file'] is None
    first = osp.join(roots[0], 'SAMM_longvideos', '001_1', '001_1_0001.jpg')
    assert osp.isfile(first)
    other = osp.join(roots[1], 'SAMM_longvideos', '001_1', '001_1_0001.jpg')
    assert open(first, 'rb').read() == open(other, 'rb').read()
    sheet = osp.join(roots[0], 'SAMM_LongVideos_demo.xlsx')
    assert open(sheet, 'rb').read() == open(
        osp.join(roots[1], 'SAMM_LongVideos_demo.xlsx'), 'rb').read()
    rows = read_samm_long_sheet(sheet)
    assert [r['name'] for r in rows] == ['001_1_1', '001_1_2']
    assert [r['onset'] for r in rows] == [r['onset']
                                          for r in data['data_list']]
    assert data['metainfo']['micro_frames'] == [11, 26]  # 0.2-0.5 s
    # overwrite with the other layout: the set's own files are replaced,
    # a file of the user's stays
    (tmp_path / 'a' / 'notes.txt').write_text('mine')
    casme = dataclasses.replace(config, layout='casme2', fps=30.0)
    with pytest.raises(DemoOptionsError, match="layout: 'samm_long' -> "):
        build_long_videos(roots[0], casme, workers=1, log=None)
    build_long_videos(roots[0], casme, workers=1, log=None, overwrite=True)
    assert sorted(os.listdir(roots[0])) == [
        '.parts', 'CAS(ME)^2code_demo.xlsx', 'README.md', 'manifest.json',
        'notes.txt', 'rawpic', 'spotting.json']


def test_tool_errors_in_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'file.txt').write_text('x')
    monkeypatch.setattr(sys, 'argv', [
        'make_demo_long_videos.py', '--out', str(tmp_path / 'other')])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(osp.join(REPO, 'tools/data/make_demo_long_videos.py'),
                       run_name='__main__')
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0 and 'holds no demo manifest' in err
