"""The processes that run LOSO folds (``tools/loso.py --jobs N``).

``N`` slots run the folds in order, one at a time each. A slot is a
one-process :class:`~concurrent.futures.ProcessPoolExecutor` (``spawn``),
so Python, torch and MMAction2 start once per slot rather than once per
fold, a fold that kills its process breaks only its own slot, and each
slot keeps one GPU when there are GPUs. A fold's output goes to its
``fold_<subject>/worker.log``. A worker process ends with the process that
started it, even when that one is killed (it watches its parent).
"""
import multiprocessing
import os
import os.path as osp
import queue
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..utils.allocator import tune_allocator
from ..utils.resources import available_cores
from .fold import FoldTask, clear_failure, read_failure, run_fold_logged
from .work_dir import WORKER_LOG, log

#: Memory a CPU fold is given when ``--jobs`` is chosen (``auto``).
FOLD_MEMORY_GB = 4


def gpu_devices() -> List[str]:
    """The GPUs this process may use (``CUDA_VISIBLE_DEVICES`` or all)."""
    import torch
    if not torch.cuda.is_available():
        return []
    visible = os.environ.get('CUDA_VISIBLE_DEVICES')
    if visible:
        return [d.strip() for d in visible.split(',') if d.strip()]
    return [str(i) for i in range(torch.cuda.device_count())]


def _available_memory_gb() -> Optional[float]:
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def _folds_in(memory: float) -> int:
    """How many CPU folds ``memory`` GB hold at :data:`FOLD_MEMORY_GB`
    each (at least 1)."""
    return max(1, int(memory // FOLD_MEMORY_GB))


def default_jobs(num_folds: int) -> int:
    """``--jobs auto``: folds to run at once on this machine.

    With GPUs, one fold per GPU. On the CPU, one fold per core (each with
    one thread: folds in parallel scale better than the threads of one
    fold), but no more than the available memory holds at
    :data:`FOLD_MEMORY_GB` a fold. Never more than ``num_folds``.
    """
    devices = gpu_devices()
    if devices:
        jobs = len(devices)
    else:
        jobs = available_cores()
        memory = _available_memory_gb()
        if memory is not None:
            jobs = min(jobs, _folds_in(memory))
    return max(1, min(jobs, num_folds))


def fit_jobs(jobs: int) -> Tuple[int, Optional[str]]:
    """An explicit ``--jobs``, capped at what the available memory holds
    on the CPU (:data:`FOLD_MEMORY_GB` a fold; a paper-size fold needs
    about 8): the jobs to run and the line that says so, if capped."""
    memory = None if gpu_devices() else _available_memory_gb()
    if memory is None or jobs <= _folds_in(memory):
        return jobs, None
    fits = _folds_in(memory)
    return fits, (f'--jobs {jobs}: the available memory ({memory:.1f} GB) '
                  f'holds {fits} fold(s) at {FOLD_MEMORY_GB} GB each; '
                  f'running {fits} at once')


def prepare_fold_process(allocator: str = 'tuned') -> None:
    """What every process that trains folds sets up first: the allocator
    settings (:mod:`~mmaction_tsfmicro.utils.allocator`) unless
    ``allocator='glibc'``, and the plugin's registration."""
    if allocator == 'tuned':
        tune_allocator()
    import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)


def _watch_parent() -> None:  # pragma: no cover - runs in the worker
    """End this worker when the process that started it ends, even by
    SIGKILL, so that no fold goes on writing after its run was stopped."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(device: Optional[str], allocator: str) -> None:
    # pragma: no cover - runs in the worker
    _watch_parent()
    if device is not None:
        os.environ['CUDA_VISIBLE_DEVICES'] = device
    prepare_fold_process(allocator)
    # between folds the worker's output goes nowhere; a fold's goes to its
    # log (run_fold_logged)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _run_in_worker(task: FoldTask) -> Optional[Dict]:
    # pragma: no cover - runs in the worker
    return run_fold_logged(task, f'fold worker {os.getpid()}')


def _tail(path: str, lines: int = 5) -> List[str]:
    try:
        with open(path, errors='replace') as f:
            return [ln.strip() for ln in f.readlines()[-lines:] if ln.strip()]
    except OSError:
        return []


def _died(task: FoldTask) -> Dict:
    """Why a fold whose process died failed: its ``fold_error.json`` if it
    wrote one, else the last line of its log."""
    log_path = osp.join(task.fold_dir, WORKER_LOG)
    failure = read_failure(task.fold_dir)
    if failure is None:
        tail = _tail(log_path)
        last = f'; the last line of its log: {tail[-1]}' if tail else ''
        failure = dict(subject=task.subject,
                       reason='the fold process ended unexpectedly (killed, '
                       f'or out of memory?){last}', log=log_path)
    failure['log'] = failure.get('log') or log_path
    return failure


def run_parallel(tasks: Sequence[FoldTask],
                 jobs: int,
                 on_start: Optional[Callable[[FoldTask], None]] = None,
                 on_done: Optional[Callable[[FoldTask], None]] = None,
                 allocator: str = 'tuned') -> Dict[str, Dict]:
    """Run folds in ``jobs`` worker processes at once (one GPU each when
    there are GPUs; workers share GPUs when there are fewer GPUs than
    jobs).

    After a fold fails no new fold starts (the running ones finish). When
    this process is interrupted, the workers are terminated.

    Args:
        tasks (Sequence[FoldTask]): The folds, in the order to start them.
        jobs (int): Workers at once.
        on_start (callable, optional): Called with a task as it starts.
        on_done (callable, optional): Called with a task that finished.
        allocator (str): ``'tuned'`` or ``'glibc'``
            (:func:`prepare_fold_process`).

    Returns:
        dict[str, dict]: Subject -> why its fold failed (``reason``,
        ``log``), for the folds that failed.
    """
    devices = gpu_devices()
    todo: 'queue.Queue[FoldTask]' = queue.Queue()
    for task in tasks:
        todo.put(task)
    stop = threading.Event()
    failures: Dict[str, Dict] = {}
    context = multiprocessing.get_context('spawn')

    def slot(index: int) -> None:
        device = devices[index % len(devices)] if devices else None
        with ProcessPoolExecutor(
                1, mp_context=context, initializer=_init_worker,
                initargs=(device, allocator)) as workers:
            while not stop.is_set():
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                where = f' on GPU {device}' if device is not None else ''
                log(f'fold {task.subject}: started{where} (log: '
                    f'{osp.join(task.fold_dir, WORKER_LOG)})')
                clear_failure(task.fold_dir)
                if on_start is not None:
                    on_start(task)
                try:
                    failure = workers.submit(_run_in_worker, task).result()
                except BrokenProcessPool:
                    failure = _died(task)
                if failure is None:
                    if on_done is not None:
                        on_done(task)
                    continue
                failures[task.subject] = failure
                stop.set()  # start no new fold
                return

    slots = max(1, min(jobs, len(tasks)))
    pool = ThreadPoolExecutor(max_workers=slots)
    try:
        list(pool.map(slot, range(slots)))
    except BaseException:
        stop.set()
        for child in multiprocessing.active_children():
            child.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
    return {t.subject: failures[t.subject] for t in tasks
            if t.subject in failures}
