import io
import json
import os
import os.path as osp

import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.loso import fold, parallel
from mmaction_tsfmicro.loso.fold import FoldTask
from mmaction_tsfmicro.loso.parallel import (WORKER_LOG, fold_command,
                                             run_parallel)
from mmaction_tsfmicro.loso.work_dir import TASK_FILE
from mmaction_tsfmicro.utils.fileio import write_json

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def task(fold_dir, subject):
    return FoldTask(
        subject=subject,
        fold_dir=str(fold_dir),
        select_on_test=False,
        selection_metric=None,
        max_epochs=1,
        threads=1)


def test_failed_folds_are_reported_with_their_log(tmp_path, capsys):
    # fold folders without fold_task.json: the children fail at once
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
    # a child that could not record its reason: its exit code and log
    assert s1['reason'].startswith('the fold process ended with exit code 1;'
                                   ' the last line of its log: '
                                   'FileNotFoundError: ')
    assert 'fold_task.json' in s1['reason']
    out = capsys.readouterr().out
    assert 'fold s1: started' in out and 'fold s3' not in out
    log = (tmp_path / 's2' / WORKER_LOG).read_text()
    assert log.startswith('\n==== ') and 'FileNotFoundError' in log
    assert fold_command(tasks[0])[-1] == str(tmp_path / 's1')


def killing_fold(fold_dir, subject):
    """A fold whose config kills the process that reads it (as the kernel's
    OOM killer would end a worker): nothing can record why."""
    fold_dir.mkdir()
    (fold_dir / 'fold_config.py').write_text(
        "_ = __import__('os').kill(__import__('os').getpid(), 9)\n")
    t = task(fold_dir, subject)
    write_json(str(fold_dir / TASK_FILE), t.to_dict())
    return t


def test_a_worker_that_dies_is_reported_as_the_folds_failure(tmp_path):
    tasks = [killing_fold(tmp_path / 's1', 's1')]
    (tmp_path / 's2').mkdir()
    tasks.append(task(tmp_path / 's2', 's2'))
    started, done = [], []
    failures = run_parallel(tasks, jobs=1, on_start=started.append,
                            on_done=done.append)
    assert list(failures) == ['s1']
    log = str(tmp_path / 's1' / WORKER_LOG)
    reason = failures['s1']['reason']
    assert reason.startswith('the fold process ended with exit code -9; '
                             'the last line of its log: ==== ')
    assert '-m mmaction_tsfmicro.loso.fold --serve' in reason
    assert failures['s1']['log'] == log
    # no fold_error.json (the worker could not write it), and no new fold
    assert not (tmp_path / 's1' / 'fold_error.json').exists()
    assert [t.subject for t in started] == ['s1'] and done == []
    assert not (tmp_path / 's2' / WORKER_LOG).exists()


def test_a_worker_serves_folds_one_after_another(tmp_path, monkeypatch):
    # the --serve loop: one JSON answer a fold, each fold's output in its
    # worker.log, and the loop ends after a failed fold
    ran = []

    def fake_run(fold_dir):
        ran.append(fold_dir)
        # what the fold prints (C code too) goes to file descriptor 1
        os.write(1, f'training {osp.basename(fold_dir)}\n'.encode())
        return osp.basename(fold_dir) != 'bad'

    monkeypatch.setattr(fold, '_run_task_file', fake_run)
    dirs = [str(tmp_path / n) for n in ('a', 'b', 'bad', 'c')]
    read, write = os.pipe()
    code = fold.serve(io.StringIO('\n'.join(dirs) + '\n'), write)
    os.close(write)
    with os.fdopen(read) as f:
        answers = [json.loads(line) for line in f]
    assert code == 1 and ran == dirs[:3]
    assert answers == [dict(fold_dir=d, ok=d != dirs[2]) for d in dirs[:3]]
    for d in dirs[:3]:
        text = open(osp.join(d, WORKER_LOG)).read()
        assert text.startswith('\n==== ') and '--serve)' in text
        assert text.endswith(f'training {osp.basename(d)}\n')
    assert not osp.exists(dirs[3])
    # input that ends: the worker ends cleanly
    assert fold.serve(io.StringIO(''), write) == 0


@pytest.fixture
def machine(monkeypatch):
    """A machine of ``cores`` cores, ``memory`` GB available and ``gpus``."""
    from mmaction_tsfmicro.utils import resources

    def set_machine(cores, memory, gpus=()):
        monkeypatch.setattr(resources, 'available_cores', lambda: cores)
        monkeypatch.setattr(parallel, '_available_memory_gb', lambda: memory)
        monkeypatch.setattr(parallel, '_devices', lambda: list(gpus))

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
    assert parallel.default_jobs(folds) == jobs


def test_the_gpus_of_the_machine(monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert parallel._devices() == []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.delenv('CUDA_VISIBLE_DEVICES', raising=False)
    assert parallel._devices() == ['0', '1']
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '3, 5')
    assert parallel._devices() == ['3', '5']
    # this machine's available memory, from /proc/meminfo
    memory = parallel._available_memory_gb()
    assert memory is not None and 0 < memory < 2**20


def test_a_fold_processs_environment(monkeypatch):
    monkeypatch.setenv('PYTHONPATH', '/elsewhere')
    monkeypatch.delenv('TSFMICRO_ALLOCATOR', raising=False)
    env = parallel.child_env(3, '1', {'TSFMICRO_FRAME_CACHE': '/c/abc'})
    assert env['OMP_NUM_THREADS'] == env['MKL_NUM_THREADS'] == '3'
    assert env['CUDA_VISIBLE_DEVICES'] == '1'
    assert env['TSFMICRO_FRAME_CACHE'] == '/c/abc'
    assert env['MALLOC_MMAP_MAX_'] == '0'
    assert env['PYTHONPATH'] == os.pathsep.join([ROOT, '/elsewhere'])
    monkeypatch.setenv('OMP_NUM_THREADS', '7')
    monkeypatch.delenv('CUDA_VISIBLE_DEVICES', raising=False)
    env = parallel.child_env(None, None)
    assert env['OMP_NUM_THREADS'] == '7'  # none given: the user's
    assert 'CUDA_VISIBLE_DEVICES' not in env
