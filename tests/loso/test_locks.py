"""One fold of a run in a process of its own (``tools/loso.py --fold``):
picking the fold, the run's and the folds' locks, and the wall time of
overlapping tasks. End to end in tests/tools/test_loso.py."""
import subprocess
import sys
import textwrap
import time

import pytest

from mmaction_tsfmicro.loso.locks import (FOLD_LOCK_FILE, LOCK_FILE, fold_lock,
                                          running_folds, work_dir_lock)
from mmaction_tsfmicro.loso.protocol import ProtocolError
from mmaction_tsfmicro.loso.report import busy_seconds
from mmaction_tsfmicro.loso.experiment import pick_subject

SUBJECTS = ['sub01', 'sub02', 'sub10']


def test_a_fold_is_a_subject_or_its_index():
    assert pick_subject(SUBJECTS, 'sub10') == 'sub10'
    assert pick_subject(SUBJECTS, '0') == 'sub01'
    assert pick_subject(SUBJECTS, 2) == 'sub10'
    with pytest.raises(ProtocolError) as e:
        pick_subject(SUBJECTS, '3')
    assert str(e.value) == (
        '--fold 3: the run has 3 folds, so an index runs from 0 to 2 '
        '(e.g. #SBATCH --array=0-2)')
    with pytest.raises(ProtocolError) as e:
        pick_subject(SUBJECTS, 'sub9')
    assert str(e.value) == ('--fold sub9: not a subject of the run (sub01, '
                            'sub02, sub10) nor an index into its subject '
                            'list')


def test_wall_time_counts_overlapping_runs_once():
    runs = [
        dict(time='2026-12-02T10:00:00+00:00', wall_seconds=100.),
        dict(time='2026-12-02T10:00:30+00:00', wall_seconds=100.),  # overlap
        dict(time='2026-12-02T10:05:00+00:00', wall_seconds=10.),  # after
        dict(time='2026-12-02T10:00:40+00:00', wall_seconds=20.),  # inside
        dict(time='2026-12-02T11:00:00+00:00', wall_seconds=None),
    ]
    assert busy_seconds(runs) == 130 + 10
    # one after another: the sum
    assert busy_seconds(runs[2:3] + runs[:1]) == 110
    assert busy_seconds([dict(time=None, wall_seconds=5.),
                         dict(time='x', wall_seconds=6.)]) == 11
    assert busy_seconds(runs[-1:]) is None


def hold(path, mode: str, seconds: float) -> subprocess.Popen:
    """A child process holding the lock file ``path`` as the plugin's locks
    do (``flock`` and ``"<pid> <mode>"`` in the file) for ``seconds``,
    without importing the plugin (fast)."""
    script = textwrap.dedent(f'''
        import fcntl, os, time
        with open({str(path)!r}, 'a+') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0); f.truncate(); f.write(f'{{os.getpid()}} {mode}')
            f.flush()
            print('held', flush=True)
            time.sleep({seconds})
    ''')
    proc = subprocess.Popen([sys.executable, '-c', script],
                            stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'held'
    return proc


def test_a_whole_run_refuses_and_is_refused_at_once(tmp_path):
    work = str(tmp_path)
    holder = hold(tmp_path / LOCK_FILE, 'run', 30)
    try:
        for mode in ('run', 'fold'):
            start = time.monotonic()
            with pytest.raises(ProtocolError) as e:
                with work_dir_lock(work, mode=mode):
                    pass
            assert time.monotonic() - start < 5  # no waiting for a run
            assert str(e.value) == (
                f'{work} is in use by another LOSO run (pid {holder.pid}); '
                'wait for it to end or stop it first')
    finally:
        holder.kill()
        holder.wait()
    with work_dir_lock(work):  # released by the kill
        pass


def test_a_fold_task_waits_for_another_fold_task(tmp_path):
    work = str(tmp_path)
    holder = hold(tmp_path / LOCK_FILE, 'fold', 1.5)
    try:
        # a whole run does not wait
        with pytest.raises(ProtocolError) as e:
            with work_dir_lock(work):
                pass
        assert 'in use by a tools/loso.py --fold process' in str(e.value)
        start = time.monotonic()
        with work_dir_lock(work, mode='fold'):
            waited = time.monotonic() - start
        assert waited > 0.5  # until the holder let go
    finally:
        holder.kill()
        holder.wait()


def test_a_holder_that_has_not_written_itself_yet_is_waited_for(tmp_path):
    """Tasks of an array start together: one takes the lock and the others
    may read the file before it has written its pid and mode."""
    work = str(tmp_path)
    holder = hold(tmp_path / LOCK_FILE, '', 1.5)  # holds, writes no mode
    try:
        with pytest.raises(ProtocolError) as e:  # a whole run: at once
            with work_dir_lock(work):
                pass
        assert f'(pid {holder.pid})' in str(e.value)
        start = time.monotonic()
        with work_dir_lock(work, mode='fold'):
            assert time.monotonic() - start > 0.5
    finally:
        holder.kill()
        holder.wait()


def test_a_running_fold_is_seen_and_refused(tmp_path):
    work = tmp_path
    (work / 'fold_sub02').mkdir()
    assert running_folds(str(work), SUBJECTS) == {}
    holder = hold(work / 'fold_sub02' / FOLD_LOCK_FILE, 'fold', 30)
    try:
        assert running_folds(str(work), SUBJECTS) == {
            'sub02': str(holder.pid)
        }
        with pytest.raises(ProtocolError) as e:
            with fold_lock(str(work / 'fold_sub02')):
                pass
        assert str(e.value) == (
            f'fold fold_sub02 is being run by another process (pid '
            f'{holder.pid}); wait for it to end or stop it first')
    finally:
        holder.kill()
        holder.wait()
    assert running_folds(str(work), SUBJECTS) == {}
