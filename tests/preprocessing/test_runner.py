"""Runs over many clips and their JSON report."""
import json
import sys

import pytest

from mmaction_tsfmicro.preprocessing.clip_spec import (ClipResult, ClipSpec,
                                                       PreprocessConfig)
from mmaction_tsfmicro.preprocessing.landmarks import MissingBackendError
from mmaction_tsfmicro.preprocessing.runner import run_clips, write_report


@pytest.mark.parametrize('name', ['mediapipe', 'dlib'])
def test_check_backend_before_a_run(monkeypatch, tmp_path, name):
    """A run stops at once with one line, before any worker starts."""
    module = dict(mediapipe='mediapipe', dlib='dlib')[name]
    monkeypatch.setitem(sys.modules, module, None)
    cfg = PreprocessConfig(src=str(tmp_path / 'a'), dst=str(tmp_path / 'b'),
                           layout='casme2')
    spec = ClipSpec('sub01', 'EP01', [dict(onset=1, apex=2, offset=3)])
    with pytest.raises(MissingBackendError, match=f"the '{name}' face "
                       'detector needs the'):
        run_clips([spec], cfg, detector=name, workers=2, progress=False)
    assert not (tmp_path / 'b').exists()


def test_results_come_in_input_order(tmp_path):
    cfg = PreprocessConfig(src=str(tmp_path / 'raw'),
                           dst=str(tmp_path / 'out'), layout='casme2')
    samples = [dict(onset=1, apex=2, offset=3)]
    specs = [ClipSpec('s1', 'missing', samples), ClipSpec('s1', 'done',
                                                          samples)]
    done = tmp_path / 'out' / 's1' / 'done'
    done.mkdir(parents=True)
    (done / 'alignment.json').write_text('{}')
    seen = []
    results = run_clips(specs, cfg, detector='haar', progress=False,
                        on_result=seen.append)
    assert [(r.key, r.status) for r in results] == [('s1/missing', 'failed'),
                                                    ('s1/done', 'skipped')]
    missing = tmp_path / 'raw' / 's1' / 'missing'
    assert results[0].reason == f'clip folder not found: {missing}'
    assert seen == results[:1]  # done clips are skipped without a job


def test_write_report(tmp_path):
    path = tmp_path / 'reports' / 'run.json'
    results = [ClipResult('a/b', 'done', num_frames=5, seconds=0.25),
               ClipResult('a/c', 'failed', 'no face')]
    write_report(str(path), results, extra=dict(detector='haar',
                                                max_shift=float('inf')))
    text = path.read_text()
    data = json.loads(text)
    assert list(data) == ['detector', 'max_shift', 'counts', 'clips']
    assert data['max_shift'] == float('inf')  # written as Infinity
    assert data['counts'] == dict(done=1, skipped=0, failed=1)
    assert data['clips'][0] == dict(key='a/b', status='done', reason='',
                                    num_frames=5, seconds=0.25)
    assert text.endswith('\n')
    assert [p.name for p in path.parent.iterdir()] == ['run.json']
    write_report(str(path), [])
    assert json.loads(path.read_text()) == dict(
        counts=dict(done=0, skipped=0, failed=0), clips=[])
