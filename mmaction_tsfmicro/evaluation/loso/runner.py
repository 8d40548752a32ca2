"""Run the folds of a LOSO experiment: in this process, in parallel
subprocesses (``--jobs``), or as one distributed job per fold.

Also the entry point of a fold's subprocess::

    python -m mmaction_tsfmicro.evaluation.loso.runner DIR/fold_<subject>
"""
import argparse
import contextlib
import datetime
import gc
import hashlib
import os
import os.path as osp
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import (barrier, broadcast_object_list, get_dist_info,
                           init_dist, is_distributed)

from ..atomic import read_json, write_json, write_text
from .folds import (CONFIG_FILE, FOLD_CONFIG, FOLD_PREDICTIONS, FOLD_RECORD,
                    PLAN_FILE, ProtocolError, build_fold_config,
                    check_protocol, choose_subjects, config_subjects,
                    find_resume_checkpoint, fold_names, prune_checkpoints,
                    read_record, selection_metric)

TASK_FILE = 'fold_task.json'
WORKER_LOG = 'worker.log'
LOCK_FILE = '.loso.lock'


@dataclass
class LosoOptions:
    """The options of a LOSO run (``tools/loso.py``'s arguments).

    Args:
        config (str): The config file.
        work_dir (str): The LOSO work dir.
        subjects (list[str], optional): Run only these subjects.
        resume (bool): Continue the run in ``work_dir``.
        jobs (int): Folds run at once, one process each.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``:
            every fold is one distributed job over the launched ranks.
        cfg_options (dict, optional): Config overrides.
        amp (bool): Automatic mixed precision.
        seed (int, optional): Random seed (default: the config's).
        deterministic (bool): Deterministic CUDNN.
        select_on_test (bool): Also validate on the test subject every
            epoch and report the best epoch's numbers (optimistic).
        threads (int, optional): Torch threads per fold (default: all
            cores for one job, ``cores // jobs`` for several).
        keep_checkpoints (str): ``'last'`` keeps the last epoch's
            checkpoint of a finished fold, ``'none'`` deletes them all.
        argv (list[str], optional): The command line, for the record.
    """
    config: str
    work_dir: str
    subjects: Optional[List[str]] = None
    resume: bool = False
    jobs: int = 1
    launcher: str = 'none'
    cfg_options: Optional[dict] = None
    amp: bool = False
    seed: Optional[int] = None
    deterministic: bool = False
    select_on_test: bool = False
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'
    argv: Optional[List[str]] = field(default=None)


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec='seconds')


def _log(msg: str) -> None:
    rank, _ = get_dist_info()
    if rank == 0:
        print(f'[loso] {msg}', flush=True)


def merged_config(opts: LosoOptions) -> Config:
    """The config with ``--cfg-options``, ``--amp`` and ``--seed`` merged in
    (through the same code as ``tools/train.py``)."""
    from ...apis.runner_args import merge_train_args
    cfg = Config.fromfile(opts.config)
    args = argparse.Namespace(
        config=opts.config,
        work_dir=opts.work_dir,
        launcher=opts.launcher,
        no_validate=False,
        amp=opts.amp,
        resume=None,
        auto_scale_lr=False,
        seed=opts.seed,
        diff_rank_seed=False,
        deterministic=opts.deterministic,
        cfg_options=opts.cfg_options)
    cfg = merge_train_args(cfg, args)
    randomness = dict(cfg.get('randomness') or {})
    if opts.seed is not None:
        randomness['seed'] = opts.seed
    if opts.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    return cfg


def config_text(cfg: Config) -> str:
    """The config as Python text, without the keys a resumed run may change
    (``work_dir``, ``launcher``)."""
    cfg = Config(
        {k: v
         for k, v in cfg.to_dict().items()
         if k not in ('work_dir', 'launcher')})
    return cfg.pretty_text


@contextlib.contextmanager
def work_dir_lock(work_dir: str) -> Iterator[None]:
    """Hold an exclusive lock on the work dir (POSIX ``flock``), so that two
    LOSO runs cannot write the same folds; released when the process ends,
    even by a kill."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking
        yield
        return
    path = osp.join(work_dir, LOCK_FILE)
    with open(path, 'a+') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or '?'
            raise RuntimeError(
                f'{work_dir} is in use by another LOSO run (pid {holder}); '
                'wait for it to end or stop it first') from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _existing_folds(work_dir: str) -> List[str]:
    return sorted(d for d in os.listdir(work_dir)
                  if d.startswith('fold_') and osp.isdir(osp.join(work_dir,
                                                                  d)))


def prepare_work_dir(opts: LosoOptions, cfg: Config) -> Dict:
    """Create or check the work dir and its plan; return the plan.

    A new run refuses a work dir that already holds folds. ``--resume``
    refuses a plan made with another config, seed, subject list or
    ``--select-on-test`` choice.

    Args:
        opts (LosoOptions): The options.
        cfg (Config): The merged config.

    Returns:
        dict: The plan (``loso_plan.json``).
    """
    work_dir = opts.work_dir
    os.makedirs(work_dir, exist_ok=True)
    plan_path = osp.join(work_dir, PLAN_FILE)
    text = config_text(cfg)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = _existing_folds(work_dir)
    plan = read_json(plan_path) if osp.isfile(plan_path) else None
    if not opts.resume and (plan is not None or existing):
        done = sum(
            osp.isfile(osp.join(work_dir, d, FOLD_RECORD)) for d in existing)
        raise ProtocolError(
            f'{work_dir} already holds a LOSO run ({done} finished '
            f'fold(s) in {len(existing)} fold folder(s)); pass --resume to '
            'continue it, or choose another --work-dir. Nothing was changed.')
    if plan is None and existing:
        raise ProtocolError(
            f'{work_dir} has fold folders but no {PLAN_FILE}; it was not '
            'made by tools/loso.py, or its plan was deleted. Choose another '
            '--work-dir.')
    invocation = dict(
        time=_now(),
        command=shlex.join(['python'] + list(opts.argv or sys.argv)),
        cwd=os.getcwd(),
        resume=opts.resume,
        jobs=opts.jobs,
        launcher=opts.launcher,
        world_size=get_dist_info()[1])
    if plan is not None:
        problems = []
        if plan['config_sha256'] != digest:
            problems.append(
                f'the merged config differs from {CONFIG_FILE} (same config '
                'file and --cfg-options/--amp needed)')
        if opts.seed is not None and opts.seed != plan['seed']:
            problems.append(f"--seed {opts.seed} differs from the run's "
                            f"seed {plan['seed']}")
        if opts.subjects and choose_subjects(
                plan['all_subjects'], opts.subjects) != plan['subjects']:
            problems.append(f"--subjects differs from the run's subjects "
                            f"{plan['subjects']}")
        if bool(opts.select_on_test) != bool(plan['select_on_test']):
            problems.append('--select-on-test must be given as when the run '
                            'started')
        if problems:
            raise ProtocolError(f'cannot resume {work_dir}: ' +
                                '; '.join(problems))
        plan['invocations'].append(invocation)
    else:
        try:
            all_subjects = config_subjects(cfg)
        except FileNotFoundError as e:
            raise ProtocolError(f'{opts.config}: {e}') from None
        seed = cfg.randomness.get('seed')
        if seed is None:
            seed = int.from_bytes(os.urandom(4), 'little') % 2**31
        plan = dict(
            config=osp.abspath(opts.config),
            config_file=CONFIG_FILE,
            config_sha256=digest,
            seed=int(seed),
            all_subjects=all_subjects,
            subjects=choose_subjects(all_subjects, opts.subjects),
            select_on_test=bool(opts.select_on_test),
            selection_metric=selection_metric(cfg)
            if opts.select_on_test else None,
            max_epochs=int(cfg.train_cfg.max_epochs),
            created=_now(),
            invocations=[invocation])
        write_text(osp.join(work_dir, CONFIG_FILE), text)
    write_json(plan_path, plan)
    return plan


@dataclass
class FoldTask:
    """One fold to run."""
    subject: str
    fold_dir: str
    select_on_test: bool
    selection_metric: Optional[str]
    max_epochs: int
    launcher: str = 'none'
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def write_fold_files(cfg: Config, plan: Dict, task: FoldTask) -> None:
    """Write the fold's config and task file (rank 0)."""
    fold_cfg = build_fold_config(cfg, task.subject, task.fold_dir,
                                 plan['seed'], plan['select_on_test'])
    os.makedirs(task.fold_dir, exist_ok=True)
    write_text(osp.join(task.fold_dir, FOLD_CONFIG), config_text(fold_cfg))
    write_json(osp.join(task.fold_dir, TASK_FILE), task.to_dict())


def _close_log_files(runner) -> None:
    import logging
    for handler in list(runner.logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            runner.logger.removeHandler(handler)


def run_fold(task: FoldTask) -> Optional[dict]:
    """Train and test one fold in this process; write its record (rank 0).

    The fold resumes from its newest complete checkpoint if it has one.
    Under a distributed launcher every rank calls this with the same task.

    Args:
        task (FoldTask): The fold.

    Returns:
        dict | None: The record (None on ranks other than 0).
    """
    import torch

    from ...apis.runner_args import build_runner
    from ...engine.hooks import dataset_subjects
    from .selection import select_epoch

    rank, world_size = get_dist_info()
    if task.threads:
        torch.set_num_threads(task.threads)
    resume_from = [find_resume_checkpoint(task.fold_dir) if rank == 0 else
                   None]
    if is_distributed():
        broadcast_object_list(resume_from)
    resume_from = resume_from[0]
    cfg = Config.fromfile(osp.join(task.fold_dir, FOLD_CONFIG))
    cfg.work_dir = task.fold_dir
    cfg.launcher = task.launcher
    if resume_from:
        cfg.resume = True
        cfg.load_from = resume_from
    started = time.time()
    runner = build_runner(cfg)
    try:
        runner.train()
        runner.test()
        train_ds = runner.train_dataloader.dataset
        test_ds = runner.test_dataloader.dataset
        train_subjects = sorted(dataset_subjects(train_ds) or [])
        test_subjects = sorted(dataset_subjects(test_ds) or [])
        num_train = len(train_ds)
        final_epoch = runner.epoch
    finally:
        _close_log_files(runner)
        del runner
        gc.collect()
    if task.subject in train_subjects or test_subjects != [task.subject]:
        raise ProtocolError(
            f'fold {task.subject}: the training data held subjects '
            f'{train_subjects} and the test data {test_subjects}')
    record = None
    if rank == 0:
        predictions = read_json(osp.join(task.fold_dir, FOLD_PREDICTIONS))
        selection = None
        if task.select_on_test:
            selection = select_epoch(task.fold_dir, task.selection_metric,
                                     task.max_epochs)
        last = osp.join(task.fold_dir, f'epoch_{final_epoch}.pth')
        prune_checkpoints(
            task.fold_dir, last if task.keep_checkpoints == 'last' else None)
        record = dict(
            status='done',
            subject=task.subject,
            test_subjects=test_subjects,
            train_subjects=train_subjects,
            num_train_samples=num_train,
            num_test_samples=predictions['num_samples'],
            metrics=predictions['metrics'],
            predictions=FOLD_PREDICTIONS,
            epochs=final_epoch,
            checkpoint=osp.basename(last) if osp.isfile(last) else None,
            resumed_from=osp.basename(resume_from) if resume_from else None,
            selected_on_test=selection,
            world_size=world_size,
            threads=torch.get_num_threads(),
            device='cuda' if torch.cuda.is_available() else 'cpu',
            finished=_now(),
            seconds=round(time.time() - started, 2))
        write_json(osp.join(task.fold_dir, FOLD_RECORD), record)
    if is_distributed():
        barrier()
    return record


# ---------------------------------------------------------------------------
# parallel folds
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
    return [
        sys.executable, '-m', 'mmaction_tsfmicro.evaluation.loso.runner',
        task.fold_dir
    ]


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
            _log(f'fold {task.subject}: started{where} (log: {log_path})')
            with open(log_path, 'a') as log:
                log.write(f'\n==== {_now()} {shlex.join(cmd)}\n')
                log.flush()
                with lock:
                    if stop.is_set():
                        return False
                    proc = subprocess.Popen(
                        cmd,
                        stdout=log,
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
            _log(f'fold {task.subject}: FAILED (exit code {code}); last '
                 f'lines of its log:\n{_tail(log_path)}')
            return False
        _log(f'fold {task.subject}: done')
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


# ---------------------------------------------------------------------------
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _sync(fn):
    """Run ``fn`` on rank 0 and give its result (or error) to every rank."""
    rank, _ = get_dist_info()
    box = [None]
    if rank == 0:
        try:
            box = [dict(value=fn())]
        except Exception as e:  # re-raised on every rank
            box = [dict(error=e)]
    if is_distributed():
        broadcast_object_list(box)
    if 'error' in box[0]:
        raise box[0]['error']
    return box[0]['value']


def run_loso(opts: LosoOptions) -> Optional[dict]:
    """Run (or resume) a LOSO experiment and write its report.

    Args:
        opts (LosoOptions): The options.

    Returns:
        dict | None: The report (on rank 0), None if folds failed.
    """
    from .report import write_report
    opts.work_dir = osp.abspath(opts.work_dir)
    if opts.keep_checkpoints not in ('last', 'none'):
        raise ProtocolError(f"--keep-checkpoints must be 'last' or 'none', got "
                         f'{opts.keep_checkpoints!r}')
    if opts.jobs < 1:
        raise ProtocolError(f'--jobs must be >= 1, got {opts.jobs}')
    if opts.launcher != 'none' and opts.jobs != 1:
        raise ProtocolError('--jobs runs folds as separate processes; with '
                         '--launcher each fold is one distributed job, so '
                         '--jobs must be 1')
    cfg = merged_config(opts)
    if opts.launcher != 'none' and not is_distributed():
        init_dist(opts.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
    notes = check_protocol(cfg, opts.select_on_test)
    rank, _ = get_dist_info()
    os.makedirs(opts.work_dir, exist_ok=True)
    lock = work_dir_lock(opts.work_dir) if rank == 0 else \
        contextlib.nullcontext()
    with lock:
        plan = _sync(lambda: prepare_work_dir(opts, cfg))
        for note in notes:
            _log(f'note: {note}')
        names = fold_names(plan['subjects'])
        threads = opts.threads
        if threads is None and opts.jobs > 1:
            threads = max(1, _cores() // opts.jobs)
        tasks, done = [], []
        for subject in plan['subjects']:
            task = FoldTask(
                subject=subject,
                fold_dir=osp.join(opts.work_dir, names[subject]),
                select_on_test=plan['select_on_test'],
                selection_metric=plan['selection_metric'],
                max_epochs=plan['max_epochs'],
                launcher=opts.launcher,
                threads=threads,
                keep_checkpoints=opts.keep_checkpoints)
            if read_record(task.fold_dir) is not None:
                done.append(subject)
            else:
                tasks.append(task)
        if done:
            _log(f'{len(done)} fold(s) finished earlier and kept: '
                 f'{", ".join(done)}')
        _sync(lambda: [write_fold_files(cfg, plan, t) for t in tasks])
        failed: List[str] = []
        if opts.jobs > 1 and len(tasks) > 1:
            _log(f'running {len(tasks)} fold(s), {opts.jobs} at once, '
                 f'{threads} thread(s) each')
            failed = run_parallel(tasks, opts.jobs)
        else:
            for i, task in enumerate(tasks, 1):
                _log(f'fold {task.subject} ({i}/{len(tasks)})')
                run_fold(task)
        if failed:
            _log(f'{len(failed)} fold(s) failed: {", ".join(failed)}; the '
                 'finished folds are kept: fix the problem and run again '
                 'with --resume')
            return None
        report = _sync(lambda: write_report(opts.work_dir, plan))
    return report if rank == 0 else None


def _worker_main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of a fold's subprocess."""
    parser = argparse.ArgumentParser(
        description='Run one LOSO fold (started by tools/loso.py)')
    parser.add_argument('fold_dir', help='the fold folder (with '
                        f'{FOLD_CONFIG} and {TASK_FILE})')
    args = parser.parse_args(argv)
    import mmaction_tsfmicro  # noqa: F401  (registers the plugin)
    task = FoldTask(**read_json(osp.join(args.fold_dir, TASK_FILE)))
    try:
        run_fold(task)
    except Exception:
        traceback.print_exc()
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(_worker_main())
