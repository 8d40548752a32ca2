"""Folds run in parallel child processes (``tools/loso.py --jobs N``).

``N`` long-lived workers (``python -m mmaction_tsfmicro.loso.fold
--serve``) take the folds in order, one at a time each, so that Python,
torch and MMAction2 start once per worker rather than once per fold. Each
fold's output goes to its ``fold_<subject>/worker.log``.
"""
import json
import os
import os.path as osp
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Optional, Sequence

from .allocator import allocator_env
from .fold import FoldTask, clear_failure, read_failure
from .work_dir import WORKER_LOG, log


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


#: Memory a CPU fold is given when ``--jobs`` is chosen (``auto``).
FOLD_MEMORY_GB = 4


def _available_memory_gb() -> Optional[float]:
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_jobs(num_folds: int) -> int:
    """``--jobs auto``: folds to run at once on this machine.

    With GPUs, one fold per GPU. On the CPU, one fold per core (each with
    one thread: folds in parallel scale better than the threads of one
    fold), but no more than the available memory holds at
    :data:`FOLD_MEMORY_GB` a fold. Never more than ``num_folds``.
    """
    from ..utils.resources import available_cores
    devices = _devices()
    if devices:
        jobs = len(devices)
    else:
        jobs = available_cores()
        memory = _available_memory_gb()
        if memory is not None:
            jobs = min(jobs, max(1, int(memory // FOLD_MEMORY_GB)))
    return max(1, min(jobs, num_folds))


def _tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return ''


def fold_command(task: FoldTask) -> List[str]:
    """The command that runs one fold in a child process."""
    return [sys.executable, '-m', 'mmaction_tsfmicro.loso.fold', task.fold_dir]


def worker_command() -> List[str]:
    """The command of a long-lived fold worker."""
    return [sys.executable, '-m', 'mmaction_tsfmicro.loso.fold', '--serve']


def child_env(threads: Optional[int], device: Optional[str],
              extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of a fold process: the package on ``PYTHONPATH``,
    its thread count, its GPU, the allocator settings
    (:mod:`.allocator`) and ``extra`` (e.g. the frame cache)."""
    import mmaction_tsfmicro
    env = dict(os.environ)
    package_root = osp.dirname(osp.dirname(mmaction_tsfmicro.__file__))
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (package_root, env.get('PYTHONPATH')) if p)
    if threads:
        for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[var] = str(threads)
    if device is not None:
        env['CUDA_VISIBLE_DEVICES'] = device
    env.update(allocator_env())
    env.update(extra or {})
    return env


def _failure(task: FoldTask, code: Optional[int], log_path: str) -> Dict:
    """Why a fold failed: its ``fold_error.json``, else the worker's exit
    code and the last line of its log (a worker that was killed writes
    nothing)."""
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


class _Worker:
    """One ``--serve`` child and the pipe to it."""

    def __init__(self, env: Dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            bufsize=1,
            preexec_fn=_die_with_parent if os.name == 'posix' else None)

    def run(self, fold_dir: str) -> Optional[bool]:
        """Run one fold; True/False for its outcome, None when the worker
        died."""
        try:
            self.proc.stdin.write(fold_dir + '\n')
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        if not answer:
            return None
        try:
            return bool(json.loads(answer)['ok'])
        except (ValueError, KeyError):
            return None

    def close(self) -> Optional[int]:
        """End the worker (its input ends); return its exit code."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def run_parallel(tasks: Sequence[FoldTask],
                 jobs: int,
                 on_start: Optional[Callable[[FoldTask], None]] = None,
                 on_done: Optional[Callable[[FoldTask], None]] = None,
                 env: Optional[Dict[str, str]] = None) -> Dict[str, Dict]:
    """Run folds in ``jobs`` worker processes at once (one GPU each when
    there are GPUs; workers share GPUs when there are fewer GPUs than
    jobs).

    Each fold writes its output to ``fold_<subject>/worker.log``. After a
    fold fails no new fold starts (the running ones finish). When this
    process is interrupted, the workers are terminated and no new fold
    starts.

    Args:
        tasks (Sequence[FoldTask]): The folds, in the order to start them.
        jobs (int): Workers at once.
        on_start (callable, optional): Called with a task as it starts.
        on_done (callable, optional): Called with a task that finished.
        env (dict, optional): Extra environment of the workers.

    Returns:
        dict[str, dict]: Subject -> why its fold failed (``reason``,
        ``log``), for the folds that failed.
    """
    devices = _devices()
    todo: 'queue.Queue' = queue.Queue()
    for task in tasks:
        todo.put(task)
    stop = threading.Event()
    workers: List[_Worker] = []
    failures: Dict[str, Dict] = {}
    lock = threading.Lock()

    def serve(slot: int) -> None:
        device = devices[slot % len(devices)] if devices else None
        worker = None
        try:
            while not stop.is_set():
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                log_path = osp.join(task.fold_dir, WORKER_LOG)
                with lock:
                    if stop.is_set():
                        return
                    if worker is None:
                        worker = _Worker(
                            child_env(task.threads, device, env))
                        workers.append(worker)
                where = f' on GPU {device}' if device is not None else ''
                log(f'fold {task.subject}: started{where} (log: {log_path})')
                clear_failure(task.fold_dir)
                if on_start is not None:
                    on_start(task)
                outcome = worker.run(task.fold_dir)
                if outcome:
                    if on_done is not None:
                        on_done(task)
                    continue
                code = worker.close()
                worker = None
                with lock:
                    failures[task.subject] = _failure(task, code, log_path)
                stop.set()  # start no new fold
        finally:
            if worker is not None:
                worker.close()

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        list(pool.map(serve, range(max(1, min(jobs, len(tasks))))))
    except BaseException:
        stop.set()
        with lock:
            for worker in workers:
                worker.proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
    return {t.subject: failures[t.subject] for t in tasks
            if t.subject in failures}
