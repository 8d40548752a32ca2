"""The worker processes of ``tools/loso.py --jobs N`` (loso/pool.py)."""
import os.path as osp

import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.loso import pool
from mmaction_tsfmicro.loso.fold import FoldTask
from mmaction_tsfmicro.loso.pool import run_parallel
from mmaction_tsfmicro.loso.work_dir import FOLD_CONFIG, WORKER_LOG


def task(fold_dir, subject):
    return FoldTask(
        subject=subject,
        fold_dir=str(fold_dir),
        select_on_test=False,
        selection_metric=None,
        max_epochs=1,
        threads=1)


def test_failed_folds_are_reported_with_their_log(tmp_path, capsys):
    # fold folders without fold_config.py: each fold fails at once
    tasks = []
    for subject in ('s1', 's2', 's3'):
        (tmp_path / subject).mkdir()
        tasks.append(task(tmp_path / subject, subject))
    failures = run_parallel(tasks, jobs=2)
    # the two first ran at once and failed; after a failure no fold starts
    assert list(failures) == ['s1', 's2']
    assert not (tmp_path / 's3' / WORKER_LOG).exists()
    s1 = failures['s1']
    assert s1['log'] == str(tmp_path / 's1' / WORKER_LOG)
    assert s1['reason'] == ('[Errno 2] No such file or directory: '
                            f"'{tmp_path / 's1' / FOLD_CONFIG}'")
    # the worker recorded it, and its traceback is in the fold's log
    assert (tmp_path / 's1' / 'fold_error.json').is_file()
    out = capsys.readouterr().out
    assert 'fold s1: started' in out and 'fold s3' not in out
    log = (tmp_path / 's2' / WORKER_LOG).read_text()
    assert log.startswith('\n==== ') and 'fold worker' in log
    assert 'Traceback' in log and FOLD_CONFIG in log


def killing_fold(fold_dir, subject):
    """A fold whose config kills the process that reads it (as the kernel's
    OOM killer would end a worker): nothing can record why."""
    fold_dir.mkdir()
    (fold_dir / FOLD_CONFIG).write_text(
        "print('reading the config', flush=True)\n"
        "_ = __import__('os').kill(__import__('os').getpid(), 9)\n")
    return task(fold_dir, subject)


def test_a_worker_that_dies_is_reported_as_the_folds_failure(tmp_path):
    tasks = [killing_fold(tmp_path / 's1', 's1')]
    (tmp_path / 's2').mkdir()
    tasks.append(task(tmp_path / 's2', 's2'))
    started, done = [], []
    failures = run_parallel(tasks, jobs=1, on_start=started.append,
                            on_done=done.append)
    assert list(failures) == ['s1']
    log = str(tmp_path / 's1' / WORKER_LOG)
    assert failures['s1'] == dict(
        subject='s1', log=log,
        reason='the fold process ended unexpectedly (killed, or out of '
        'memory?); the last line of its log: reading the config')
    # no fold_error.json (the worker could not write it), and no new fold
    assert not (tmp_path / 's1' / 'fold_error.json').exists()
    assert [t.subject for t in started] == ['s1'] and done == []
    assert not (tmp_path / 's2' / WORKER_LOG).exists()


def test_one_worker_runs_the_folds_of_its_slot_one_after_another(
        tmp_path, monkeypatch):
    # a finished fold: done; the worker is reused for the next one
    tasks = []
    for subject in ('s1', 's2'):
        (tmp_path / subject).mkdir()
        tasks.append(task(tmp_path / subject, subject))
    monkeypatch.setattr(pool, '_run_in_worker', _pid_of_worker)
    done = []
    assert run_parallel(tasks, jobs=1, on_done=done.append) == {}
    assert [t.subject for t in done] == ['s1', 's2']
    pids = [(tmp_path / s / 'pid').read_text() for s in ('s1', 's2')]
    assert pids[0] == pids[1]


def _pid_of_worker(task):
    import os
    with open(osp.join(task.fold_dir, 'pid'), 'w') as f:
        f.write(str(os.getpid()))
    return None


@pytest.fixture
def machine(monkeypatch):
    """A machine of ``cores`` cores, ``memory`` GB available and ``gpus``."""

    def set_machine(cores, memory, gpus=()):
        monkeypatch.setattr(pool, 'available_cores', lambda: cores)
        monkeypatch.setattr(pool, '_available_memory_gb', lambda: memory)
        monkeypatch.setattr(pool, 'gpu_devices', lambda: list(gpus))

    return set_machine


@pytest.mark.parametrize('cores, memory, gpus, folds, jobs', [
    (8, 64., (), 26, 8),  # one fold a core
    (8, 10., (), 26, 2),  # 4 GB a fold: memory for two
    (8, 3., (), 26, 1),  # less than one fold's memory: still one
    (8, None, (), 26, 8),  # memory unknown: the cores
    (8, 64., (), 3, 3),  # never more than the folds
    (8, 64., (), 0, 1),
    (2, 1., ('0', '1', '2'), 26, 3),  # one fold a GPU, whatever the CPU
    (64, 512., ('0', '1'), 1, 1),
])
def test_default_jobs_from_cores_memory_and_gpus(machine, cores, memory,
                                                 gpus, folds, jobs):
    machine(cores, memory, gpus)
    assert pool.default_jobs(folds) == jobs


def test_the_gpus_of_the_machine(monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert pool.gpu_devices() == []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.delenv('CUDA_VISIBLE_DEVICES', raising=False)
    assert pool.gpu_devices() == ['0', '1']
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '3, 5')
    assert pool.gpu_devices() == ['3', '5']
    # this machine's available memory, from /proc/meminfo
    memory = pool._available_memory_gb()
    assert memory is not None and 0 < memory < 2**20


@pytest.mark.parametrize('memory, gpus, jobs, expected', [
    (64., (), 4, (4, None)),
    (10., (), 4, (2, '--jobs 4: the available memory (10.0 GB) holds 2 '
                     'fold(s) at 4 GB each; running 2 at once')),
    (1., (), 2, (1, '--jobs 2: the available memory (1.0 GB) holds 1 '
                    'fold(s) at 4 GB each; running 1 at once')),
    (None, (), 8, (8, None)),  # memory unknown: as asked
    (1., ('0', '1'), 2, (2, None)),  # GPUs: their own memory
])
def test_an_explicit_jobs_is_capped_by_memory(machine, memory, gpus, jobs,
                                              expected):
    machine(2, memory, gpus)
    assert pool.fit_jobs(jobs) == expected
