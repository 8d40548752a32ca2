"""The progress line of a finished fold: its format, its durations and the
ETA arithmetic."""
import pytest

from mmaction_tsfmicro.loso import progress
from mmaction_tsfmicro.loso.progress import (Progress, eta_seconds,
                                             format_duration)


@pytest.mark.parametrize('seconds, text', [
    (0, '0 s'), (45, '45 s'), (89.4, '89 s'), (90, '2 min'),
    (14 * 60, '14 min'), (89 * 60, '89 min'), (90 * 60, '1.5 h'),
    (5.2 * 3600, '5.2 h'), (30 * 3600, '30.0 h')
])
def test_durations_read_as_seconds_minutes_or_hours(seconds, text):
    assert format_duration(seconds) == text


def test_eta_is_rounds_of_the_mean_minus_the_running_folds_head_start():
    assert eta_seconds([], left=5, jobs=2) is None  # nothing to go by
    assert eta_seconds([], left=0, jobs=2) == 0.
    assert eta_seconds([10.], left=0, jobs=1) == 0.
    # mean 15 s; 5 folds left two at a time: 3 rounds
    assert eta_seconds([10., 20.], left=5, jobs=2) == 45.
    assert eta_seconds([10., 20.], left=4, jobs=2) == 30.
    assert eta_seconds([10., 20.], left=5, jobs=1) == 75.
    # two folds have run 5 s and 7 s: (5 + 7) / 2 s of the rounds are done
    assert eta_seconds([10., 20.], left=5, jobs=2,
                       running_for=[5., 7.]) == 39.
    # folds running longer than the mean: not below zero
    assert eta_seconds([10.], left=1, jobs=1, running_for=[50.]) == 0.
    assert eta_seconds([10.], left=3, jobs=0) == 30.  # jobs taken as >= 1


def test_the_line_of_each_finished_fold(monkeypatch):
    clock = [1000.]
    monkeypatch.setattr(progress.time, 'time', lambda: clock[0])
    lines = []
    p = Progress(total=26, done_before=2, jobs=2, printer=lines.append)
    p.start('sub03')
    p.start('sub04')
    clock[0] += 840
    p.finished('sub03', 840., 0.61)
    # 23 folds left, 2 at once: 12 rounds of 840 s, less the 840 s sub04
    # has run, over 2 jobs: 12 * 840 - 420 = 9660 s
    assert lines == ['done 3/26 sub03: UF1 0.6100, 14 min; ETA 2.7 h']
    assert list(p.started) == ['sub04']
    p.start('sub05')
    clock[0] += 300
    # mean 870 s, 22 left: 11 rounds, less sub05's 300 s over 2 jobs:
    # 11 * 870 - 150 = 9420 s; a fold without a score shows UF1 -
    assert p.line('sub04', 900., None) == (
        'done 4/26 sub04: UF1 -, 15 min; ETA 2.6 h')
    assert p.durations == [840., 900.]
    p.done = 25
    assert p.line('sub05', 30., 1.0) == ('done 26/26 sub05: UF1 1.0000, '
                                         '30 s; all done')
