"""The spotting file from a long-video sheet and frame root: it equals what
the demo generator knows of its own videos, and its mistakes are one
line."""
import dataclasses
import json
import os
import os.path as osp
import shutil

import pytest
from conftest import run_script
from tsfmicro_synthesis.action_units import CLASSES
from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import LongVideoConfig

from mmaction_tsfmicro.annotations import load_annotation_file
from mmaction_tsfmicro.spotting.annotation import (list_videos,
                                                   spotting_annotation)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'data', 'build_spotting_annotation.py')
CONFIG = LongVideoConfig(seed=5, subjects=2, videos_per_subject=2,
                         duration=(3.0, 3.0), frame_size=64,
                         expressions=(2, 2), min_gap=0.3,
                         blinks_per_minute=(0, 0), write_video=False,
                         sources=('feat/0-f15-hao-ph.jpg',
                                  'skimage/astronaut.png'))


@pytest.fixture(scope='module')
def casme2_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('casme2_long'))
    build_long_videos(root, CONFIG, workers=1, log=None)
    return root


def run_tool(args, monkeypatch, capsys):
    return run_script(TOOL, args, monkeypatch, capsys)


def test_the_sheet_gives_the_generator_s_own_file(casme2_set, tmp_path,
                                                  monkeypatch, capsys):
    sheet = osp.join(casme2_set, 'CAS(ME)^2code_demo.xlsx')
    out = tmp_path / 'spotting.json'
    code, stdout, err = run_tool(
        ['casme2_long', sheet, casme2_set, '-o', out, '--classes',
         ','.join(CLASSES)], monkeypatch, capsys)
    assert code == 0, err
    assert stdout.splitlines()[0] == (
        '8 micro movements in 4 of 4 videos (360 frames, 30 fps); classes: '
        + ', '.join(CLASSES))
    ours = load_annotation_file(str(out))
    theirs = load_annotation_file(osp.join(casme2_set, 'spotting.json'))
    # the action units as the sheet writes them (AU2), the rest equal
    assert [r.pop('action_units') for r in ours['data_list']] == [
        '+'.join(f'AU{au}' for au in r.pop('action_units').split('+'))
        for r in theirs['data_list']]
    assert ours['data_list'] == [dict(r, dataset='casme2_long')
                                 for r in theirs['data_list']]
    assert ours['metainfo'] == dict(theirs['metainfo'],
                                    dataset_name='casme2_long')


def test_a_samm_sheet_without_emotions(tmp_path):
    root = str(tmp_path / 'samm')
    config = dataclasses.replace(CONFIG, layout='samm', fps=50.0,
                                 subjects=1, videos_per_subject=1)
    build_long_videos(root, config, workers=1, log=None)
    records, meta = spotting_annotation(
        'samm_long', osp.join(root, 'SAMM_LongVideos_demo.xlsx'), root,
        fps=50)
    demo = load_annotation_file(osp.join(root, 'spotting.json'))
    assert [(r['onset'], r['apex'], r['offset']) for r in records] == [
        (r['onset'], r['apex'], r['offset']) for r in demo['data_list']]
    assert {r['emotion'] for r in records} == {'unlabelled'}
    assert meta['classes'] == ['unlabelled']
    assert meta['videos'] == demo['metainfo']['videos']
    assert meta['micro_frames'] == [11, 26]


def test_mistakes_are_one_line_and_write_nothing(casme2_set, tmp_path,
                                                 monkeypatch, capsys):
    sheet = osp.join(casme2_set, 'CAS(ME)^2code_demo.xlsx')
    root = tmp_path / 'copy'
    shutil.copytree(osp.join(casme2_set, 'rawpic'), root / 'rawpic')
    videos = list_videos('casme2_long', str(root))
    first = videos[0]
    folder = root / 'rawpic' / first['subject'] / first['video']
    out = tmp_path / 'out.json'
    cases = [
        (['casme2_long', tmp_path / 'none.xlsx', root],
         f"{tmp_path / 'none.xlsx'}: sheet not found"),
        (['casme2_long', sheet, tmp_path],
         f"{tmp_path / 'rawpic'}: not found; {tmp_path} is not the root of "
         'a CAS(ME)^2 set (its frames are rawpic/{subject}/{clip}/'
         'img{frame}.jpg)'),
        (['casme2_long', sheet, root, '--classes', 'happiness,others'],
         f'{sheet}: demo1_1: emotion '),
    ]
    for args, message in cases:
        code, _, err = run_tool(args + ['-o', out], monkeypatch, capsys)
        assert code == 2
        assert err.startswith(f'build_spotting_annotation.py: error: '
                              f'{message}'), err
        assert err.count('\n') == 1
    # a frame missing in the middle of a video
    os.remove(folder / 'img5.jpg')
    code, _, err = run_tool(['casme2_long', sheet, root, '-o', out],
                            monkeypatch, capsys)
    assert code == 2 and err.strip() == (
        f'build_spotting_annotation.py: error: {folder}: frames 1..'
        f"{first['num_frames']} with 1 missing (the first: 5); a video "
        'needs all its frames')
    # a video cut short: the sheet's movement lies past its end
    for n in range(5, first['num_frames'] + 1):
        path = folder / f'img{n}.jpg'
        if path.exists():
            os.remove(path)
    code, _, err = run_tool(['casme2_long', sheet, root, '-o', out],
                            monkeypatch, capsys)
    assert code == 2
    assert err.startswith('build_spotting_annotation.py: error: '
                          f'{sheet}: demo1_1: frames ')
    assert 'lie outside video' in err and '(frames 1..4)' in err
    assert not out.exists()
    # the demo's own file is read back as such
    assert json.load(open(osp.join(casme2_set, 'spotting.json')))
