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

from .fold import FoldTask, clear_failure, read_failure
from .work_dir import WORKER_LOG, log, now


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


def _failure(task: FoldTask, code: int, log_path: str) -> Dict:
    """Why a child failed: its ``fold_error.json``, else its exit code and
    the last line of its log (a child that was killed writes nothing)."""
    failure = read_failure(task.fold_dir)
    if failure is None:
        tail = [ln for ln in _tail(log_path, 5).splitlines() if ln.strip()]
        last = f'; the last line of its log: {tail[-1].strip()}' if tail \
            else ''
        failure = dict(subject=task.subject,
                       reason=f'the fold process ended with exit code '
                       f'{code}{last}', log=log_path)
    failure['log'] = failure.get('log') or log_path
    return failure


def run_parallel(tasks: Sequence[FoldTask], jobs: int) -> Dict[str, Dict]:
    """Run folds in ``jobs`` child processes at once (one GPU each when
    there are GPUs; folds share GPUs when there are fewer GPUs than jobs).

    Each child writes its output to ``fold_<subject>/worker.log``. After a
    fold fails no new fold starts (the running ones finish). When this
    process is interrupted, the running children are terminated and no new
    one starts.

    Args:
        tasks (Sequence[FoldTask]): The folds.
        jobs (int): Children at once.

    Returns:
        dict[str, dict]: Subject -> why its fold failed (``reason``,
        ``log``), for the folds that failed.
    """
    devices = _devices()
    slots: 'queue.Queue' = queue.Queue()
    for i in range(jobs):
        slots.put(devices[i % len(devices)] if devices else None)
    stop = threading.Event()
    running: Dict[str, subprocess.Popen] = {}
    failures: Dict[str, Dict] = {}
    lock = threading.Lock()

    def one(task: FoldTask) -> None:
        device = slots.get()
        log_path = osp.join(task.fold_dir, WORKER_LOG)
        try:
            if stop.is_set():
                return
            cmd = fold_command(task)
            where = f' on GPU {device}' if device is not None else ''
            log(f'fold {task.subject}: started{where} (log: {log_path})')
            clear_failure(task.fold_dir)
            with open(log_path, 'a') as out:
                out.write(f'\n==== {now()} {shlex.join(cmd)}\n')
                out.flush()
                with lock:
                    if stop.is_set():
                        return
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
            with lock:
                failures[task.subject] = _failure(task, code, log_path)
            stop.set()  # start no new fold
            return
        log(f'fold {task.subject}: done')

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        list(pool.map(one, tasks))
    except BaseException:
        stop.set()
        with lock:
            for proc in running.values():
                proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
    return {t.subject: failures[t.subject] for t in tasks
            if t.subject in failures}
