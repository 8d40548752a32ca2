"""The frames a LOSO run reads, cached once for its folds: which frames,
the cache in the work dir, and the same predictions with
``--frame-cache auto`` as with ``off``."""
import json
import os
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mmaction_tsfmicro.datasets import frame_cache
from mmaction_tsfmicro.datasets.frame_cache import FrameCache
from mmaction_tsfmicro.datasets.transforms import SelectFramePair
from mmaction_tsfmicro.loso import LosoOptions, run_loso
from mmaction_tsfmicro.loso.frames import (CACHE_DIR, pipeline_frame_paths,
                                           prepare_frame_cache, sample_frames)
from mmaction_tsfmicro.testing import make_synthetic_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'loso_tiny.py')
SUBJECTS = ['sub01', 'sub02']


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    """``data/synthetic_loso`` of the LOSO test config: 2 subjects, one clip
    of each of 5 classes, 9 frames a clip (onset 1, apex 5, offset 9)."""
    root = tmp_path_factory.mktemp('frames')
    make_synthetic_dataset(str(root / 'data' / 'synthetic_loso'),
                           subjects=SUBJECTS)
    return root


@pytest.fixture
def in_data_dir(data_dir, monkeypatch):
    monkeypatch.chdir(data_dir)
    monkeypatch.setattr(frame_cache, '_opened', {})
    return data_dir


def config(mode='annotated', ratio=0.25):
    cfg = Config.fromfile(CFG)
    for loader in ('train_dataloader', 'test_dataloader'):
        cfg[loader].dataset.pipeline[0] = dict(
            type='SelectFramePair', mode=mode, ratio=ratio)
    return cfg


def frame(subject, clip, number):
    """A frame's path as the dataset gives it (from the working dir)."""
    return osp.join('data', 'synthetic_loso', subject, clip,
                    f'img{number}.jpg')


def test_the_frames_each_selection_mode_may_read():
    info = dict(onset_frame=10, apex_frame=18, offset_frame=30)
    assert sample_frames(info, SelectFramePair('annotated')) == {10, 18}
    # radius floor(0.25 * 8) = 2: onsets 10..12, apexes 16..18
    for mode in ('max_diff', 'jitter'):
        assert sample_frames(info, SelectFramePair(mode, ratio=.25)) == {
            10, 11, 12, 16, 17, 18
        }
    assert sample_frames(info, SelectFramePair('estimated_apex')) == set(
        range(10, 31))
    # an offset before the apex (as some sheets have): up to the apex
    info['offset_frame'] = 12
    assert sample_frames(info, SelectFramePair('estimated_apex')) == set(
        range(10, 19))


@pytest.mark.parametrize('mode, per_clip', [('annotated', [1, 5]),
                                            ('max_diff', [1, 2, 4, 5]),
                                            ('estimated_apex', range(1, 10))])
def test_the_pipelines_frames_of_every_subject(in_data_dir, mode, per_clip):
    # the config's folds exclude sub01 from training, test on it alone:
    # the cache holds the frames of every subject
    paths = pipeline_frame_paths(config(mode))
    expected = sorted(
        frame(s, f'EP{c:02d}_00', n) for s in SUBJECTS for c in range(5)
        for n in per_clip)
    assert paths == expected
    assert all(osp.isfile(p) for p in paths)


def test_the_cache_is_built_once_in_the_work_dir(in_data_dir, tmp_path,
                                                 capsys):
    work_dir = str(tmp_path / 'w')
    folder = prepare_frame_cache(config(), work_dir)
    assert osp.dirname(folder) == osp.join(work_dir, CACHE_DIR)
    cache = FrameCache(folder)
    assert len(cache) == 20 and cache.nbytes == 20 * 32 * 32 * 3
    assert frame('sub02', 'EP04_00', 5) in cache
    out = capsys.readouterr().out
    assert out.startswith('[loso] frame cache: 20 decoded frames (0.1 MB), '
                          'built in ')
    assert out.rstrip().endswith(osp.relpath(folder))
    assert prepare_frame_cache(config(), work_dir) == folder
    assert ', reused in ' in capsys.readouterr().out
    # no SelectFramePair: nothing to cache
    cfg = config()
    for loader in ('train_dataloader', 'test_dataloader'):
        cfg[loader].dataset.pipeline = cfg[loader].dataset.pipeline[1:]
    assert prepare_frame_cache(cfg, work_dir) is None
    # frames that cannot be listed: no cache, the folds say why
    cfg = config()
    cfg.train_dataloader.dataset.ann_file = 'nowhere/annotations.json'
    assert prepare_frame_cache(cfg, work_dir) is None
    out = capsys.readouterr().out
    assert out.startswith('[loso] frame cache: not used (')
    assert 'nowhere/annotations.json' in out
    # the reason whole, not cut in mid-word
    assert out.rstrip().endswith("nowhere/annotations.json: file not found)")
    assert len(out.splitlines()) == 1


def test_a_cache_that_cannot_be_written_is_not_used(in_data_dir, tmp_path,
                                                     capsys, monkeypatch):
    """The cache only saves decoding: where it cannot be written (a file
    in its place, a read-only or full disk) the run goes on without it."""
    from mmaction_tsfmicro.datasets import frame_cache
    work_dir = tmp_path / 'w'
    work_dir.mkdir()
    (work_dir / CACHE_DIR).write_text('in the way')
    assert prepare_frame_cache(config(), str(work_dir)) is None
    out = capsys.readouterr().out
    assert out.startswith('[loso] frame cache: not used (')
    assert CACHE_DIR in out and len(out.splitlines()) == 1

    def full(*args, **kwargs):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(frame_cache, '_write', full)
    other = tmp_path / 'other'
    assert prepare_frame_cache(config(), str(other)) is None
    assert capsys.readouterr().out.strip() == (
        f'[loso] frame cache: not used ({other / CACHE_DIR}: no space left '
        'on the device (free some space and run the same command again; '
        'what was finished is kept))')
    assert os.listdir(other / CACHE_DIR) == []  # no partial cache


def run(work_dir, frame_cache_mode):
    return run_loso(
        LosoOptions(
            config=CFG,
            work_dir=work_dir,
            subjects=['sub01'],
            jobs=1,
            threads=1,
            cfg_options={'train_cfg.max_epochs': 1},
            frame_cache=frame_cache_mode))


def predictions(work_dir):
    with open(osp.join(work_dir, 'fold_sub01', 'predictions.json')) as f:
        return json.load(f)['predictions']


def test_a_loso_run_predicts_alike_with_and_without_the_cache(
        in_data_dir, capsys):
    cached = run('cached', 'auto')
    out = capsys.readouterr().out
    assert '[loso] frame cache: 20 decoded frames' in out
    # the fold's progress line, its log in the fold folder
    assert re.search(r'^\[loso\] done 1/1 sub01: UF1 \d\.\d{4}, \d+ s; '
                     'all done$', out, re.M), out
    assert 'fold sub01 (1/1) (log: ' in out
    folder, = [
        osp.join('cached', CACHE_DIR, d)
        for d in os.listdir(osp.join('cached', CACHE_DIR))
    ]
    # the fold read its frames from the cache (in this process: --jobs 1)
    cache = frame_cache._opened[osp.abspath(folder)]
    assert cache.hits >= 20 and cache.misses == 0
    # the fold's config names the cache, where a reader sees it
    fold_cfg = Config.fromfile(osp.join('cached', 'fold_sub01',
                                        'fold_config.py'))
    for loader in ('train_dataloader', 'test_dataloader'):
        assert fold_cfg[loader].dataset.frame_cache == osp.abspath(folder)
    plain = run('plain', 'off')
    assert 'frame cache' not in capsys.readouterr().out
    assert not osp.exists(osp.join('plain', CACHE_DIR))
    assert len(predictions('cached')) == 5
    assert predictions('cached') == predictions('plain')
    for key in ('uf1', 'uar', 'acc', 'per_class'):
        assert cached[key] == plain[key]


def test_a_bad_frame_cache_option_is_refused(in_data_dir, tmp_path):
    from mmaction_tsfmicro.loso import ProtocolError
    with pytest.raises(ProtocolError,
                       match="--frame-cache must be 'auto' or 'off', got "
                       "'on'"):
        run(str(tmp_path / 'w'), 'on')
    assert not (tmp_path / 'w').exists()
