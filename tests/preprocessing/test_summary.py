"""The summary of a run's results and the alignment.json of a clip."""
import pytest

from mmaction_tsfmicro.preprocessing.clip_spec import ClipResult
from mmaction_tsfmicro.preprocessing.summary import (STATUSES, count_results,
                                                     load_alignment, summarize)


def results():
    return [
        ClipResult('a/b', 'done'),
        ClipResult('a/c', 'skipped', 'already done'),
        ClipResult('a/d', 'failed', 'no face found on onset ...'),
    ]


def test_summary():
    assert summarize(results()).splitlines() == [
        'clips: 3, done: 1, skipped (already done): 1, failed: 1',
        'FAILED a/d: no face found on onset ...'
    ]


def test_summary_of_samples_and_counts():
    assert summarize(results()[:1], noun='samples') == (
        'samples: 1, done: 1, skipped (already done): 0, failed: 0')
    assert summarize([]) == ('clips: 0, done: 0, skipped (already done): 0, '
                             'failed: 0')
    counts = count_results(results() + [ClipResult('x', 'done')])
    assert list(counts) == list(STATUSES) == ['done', 'skipped', 'failed']
    assert counts == dict(done=2, skipped=1, failed=1)


def test_load_alignment(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=f'no alignment.json in {tmp_path}$'):
        load_alignment(str(tmp_path))
    (tmp_path / 'alignment.json').write_text('{"max_shift": Infinity}\n')
    assert load_alignment(str(tmp_path)) == dict(max_shift=float('inf'))
    (tmp_path / 'alignment.json').write_text('{"max_')
    with pytest.raises(ValueError, match='alignment.json: not valid JSON'):
        load_alignment(str(tmp_path))
