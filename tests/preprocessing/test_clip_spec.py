"""Clips grouped from the annotation records, the run settings and where a
clip's crops go."""
import json
import os.path as osp

import pytest

from mmaction_tsfmicro.preprocessing.alignment import AlignmentTarget
from mmaction_tsfmicro.preprocessing.clip_spec import (ALIGNMENT_FILE,
                                                       ClipResult, ClipSpec,
                                                       PreprocessConfig,
                                                       group_clips, is_done,
                                                       key_frames, output_dir)


def test_group_clips():
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


def test_key_frames_start_at_the_earliest_onset():
    spec = ClipSpec('s', 'c', [dict(onset=4, apex=6, offset=6),
                               dict(onset=2, apex=4, offset=5)])
    assert key_frames(spec) == [('onset', 2), ('onset', 4), ('apex', 6),
                                ('offset', 5)]


def test_output_dir_and_is_done(tmp_path):
    cfg = PreprocessConfig(src=str(tmp_path / 'raw'),
                           dst=str(tmp_path / 'out'), layout='casme3')
    spec = ClipSpec('spNO.1', 'a')
    assert cfg.out_layout == 'casme3'  # defaults to the source's layout
    folder = output_dir(spec, cfg)
    assert folder == osp.join(str(tmp_path / 'out'), 'spNO.1', 'a', 'color')
    assert not is_done(spec, cfg)
    (tmp_path / 'out' / 'spNO.1' / 'a' / 'color').mkdir(parents=True)
    assert not is_done(spec, cfg)  # a folder without its JSON is not done
    (tmp_path / 'out' / 'spNO.1' / 'a' / 'color' / ALIGNMENT_FILE).write_text(
        '{}')
    assert is_done(spec, cfg)
    other = PreprocessConfig(src=cfg.src, dst=cfg.dst, layout='casme3',
                             out_layout='casme2')
    assert output_dir(spec, other) == osp.join(cfg.dst, 'spNO.1', 'a')


def test_clip_result_defaults():
    result = ClipResult('a/b', 'done')
    assert vars(result) == dict(key='a/b', status='done', reason='',
                                num_frames=0, seconds=0.0)


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
