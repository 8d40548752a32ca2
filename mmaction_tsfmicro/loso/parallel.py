"""Folds run in parallel child processes (``tools/loso.py --jobs N``)."""
import os
import os.path as osp
import queue
import shlex
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence

from .fold import FoldTask
from .work_dir import log, now

WORKER_LOG = 'worker.log'


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """End a fold subprocess when the LOSO process dies, even by SIGKILL
    (Linux ``PR_SET_PDEATHSIG``); it stays in the LOSO process's group, so
    Ctrl-C reaches it too."""
    try:
        import ctypes
        libc = ctypes.CDLL('libc.so.6', use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _devices() -> List[str]:
    import torch
    if not torch.cuda.is_available():
        return []
    visible = os.environ.get('CUDA_VISIBLE_DEVICES')
    if visible:
        return [d.strip() for d in visible.split(',') if d.strip()]
    return [str(i) for i in range(torch.cuda.device_count())]


def _tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return ''


def fold_command(task: FoldTask) -> List[str]:
    """The command that runs a fold in a child process."""
    return [sys.executable, '-m', 'mmaction_tsfmicro.loso.fold', task.fold_dir]


def _child_env(task: FoldTask, device: Optional[str]) -> Dict[str, str]:
    import mmaction_tsfmicro
    env = dict(os.environ)
    package_root = osp.dirname(osp.dirname(mmaction_tsfmicro.__file__))
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (package_root, env.get('PYTHONPATH')) if p)
    if task.threads:
        for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[var] = str(task.threads)
    if device is not None:
        env['CUDA_VISIBLE_DEVICES'] = device
    return env


def run_parallel(tasks: Sequence[FoldTask], jobs: int) -> List[str]:
    """Run folds in ``jobs`` child processes at once (one GPU each when
    there are GPUs; folds share GPUs when there are fewer GPUs than jobs).

    Each child writes its output to ``fold_<subject>/worker.log``. When
    this process is interrupted, the running children are terminated and
    no new one starts.

    Args:
        tasks (Sequence[FoldTask]): The folds.
        jobs (int): Children at once.

    Returns:
        list[str]: The subjects whose fold failed.
    """
    devices = _devices()
    slots: 'queue.Queue' = queue.Queue()
    for i in range(jobs):
        slots.put(devices[i % len(devices)] if devices else None)
    stop = threading.Event()
    running: Dict[str, subprocess.Popen] = {}
    lock = threading.Lock()

    def one(task: FoldTask) -> bool:
        device = slots.get()
        log_path = osp.join(task.fold_dir, WORKER_LOG)
        try:
            if stop.is_set():
                return False
            cmd = fold_command(task)
            where = f' on GPU {device}' if device is not None else ''
            log(f'fold {task.subject}: started{where} (log: {log_path})')
            with open(log_path, 'a') as out:
                out.write(f'\n==== {now()} {shlex.join(cmd)}\n')
                out.flush()
                with lock:
                    if stop.is_set():
                        return False
                    proc = subprocess.Popen(
                        cmd,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=_child_env(task, device),
                        preexec_fn=_die_with_parent
                        if os.name == 'posix' else None)
                    running[task.subject] = proc
                code = proc.wait()
                with lock:
                    running.pop(task.subject, None)
        finally:
            slots.put(device)
        if code != 0:
            log(f'fold {task.subject}: FAILED (exit code {code}); last '
                f'lines of its log:\n{_tail(log_path)}')
            return False
        log(f'fold {task.subject}: done')
        return True

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        results = list(pool.map(one, tasks))
    except BaseException:
        stop.set()
        with lock:
            for proc in running.values():
                proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
    return [t.subject for t, ok in zip(tasks, results) if not ok]
