"""A whole LOSO experiment: plan the folds, run them (in this process, in
parallel subprocesses with ``--jobs``, or as one distributed job per fold)
and write the pooled report."""
import contextlib
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, Iterator, List, Optional

from mmengine.config import Config
from mmengine.dist import (broadcast_object_list, get_dist_info, init_dist,
                           is_distributed)

from ..datasets.frame_cache import FRAME_CACHE_ENV
from ..engine.runner_args import process_group_scope
from ..utils.cli import debug_enabled, one_line
from ..utils.fileio import write_json
from ..utils.resources import available_cores
from .allocator import tune_allocator
from .fold import (FoldTask, clear_failure, fold_output, record_failure,
                   run_fold, write_fold_files)
from .frames import prepare_frame_cache
from .locks import running_folds, work_dir_lock
from .options import LosoOptions, merged_config, reuse_options
from .parallel import default_jobs, run_parallel
from .progress import Progress
from .protocol import ProtocolError, check_protocol
from .report import write_report
from .subjects import fold_names
from .work_dir import (PLAN_FILE, WORKER_LOG, has_work, log, prepare_work_dir,
                       read_record, stored_options)


class FoldsFailed(RuntimeError):
    """Folds of a LOSO run failed; the message says which and what to do.

    Args:
        message (str): The summary.
        failures (dict): Subject -> ``reason`` and ``log`` of its fold.
    """

    def __init__(self, message: str, failures: Dict[str, Dict]) -> None:
        super().__init__(message)
        self.failures = failures


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


def _reuse_stored_options(opts: LosoOptions) -> None:
    """``--resume``: take the run's options (:func:`reuse_options`); a run
    with nothing to keep takes the given ones instead of refusing them."""
    stored = stored_options(opts.work_dir) if opts.resume else None
    if stored is None:
        return
    config = stored.get('config')
    if config and osp.abspath(opts.config) != config and has_work(
            opts.work_dir):
        raise ProtocolError(
            f'cannot resume {opts.work_dir}: it was started with the config '
            f'{config}, not {osp.abspath(opts.config)}')
    try:
        reuse_options(opts, stored, strict=has_work(opts.work_dir))
    except ProtocolError as e:
        raise ProtocolError(f'cannot resume {opts.work_dir}: {e}') from None


def _run_in_process(tasks: List[FoldTask], progress: Progress,
                    quiet: bool) -> Dict[str, Dict]:
    """Run the folds one after another in this process; stop at the first
    that fails and return why it failed. With ``quiet`` each fold's output
    goes to its ``worker.log``."""
    rank, _ = get_dist_info()
    for i, task in enumerate(tasks, 1):
        where = f' (log: {osp.join(task.fold_dir, WORKER_LOG)})' if quiet \
            else ''
        log(f'fold {task.subject} ({i}/{len(tasks)}){where}')
        if rank == 0:
            clear_failure(task.fold_dir)
        progress.start(task.subject)
        output = fold_output(task.fold_dir, f'fold {task.subject} in '
                             f'process {os.getpid()}') if quiet else \
            contextlib.nullcontext()
        try:
            with output:
                try:
                    run_fold(task)
                except Exception:
                    if quiet:  # the traceback goes to the fold's log
                        import traceback
                        traceback.print_exc()
                    raise
        except Exception as exc:  # noqa: BLE001 - reported as a failure
            if debug_enabled():
                raise
            failure = record_failure(task, exc) if rank == 0 else dict(
                reason=one_line(exc), log=None)
            return {task.subject: failure}
        if rank == 0:
            _report_progress(progress, task)
    return {}


def _report_progress(progress: Progress, task: FoldTask) -> None:
    """The progress line of a fold that finished (from its record)."""
    record = read_record(task.fold_dir) or {}
    uf1 = (record.get('metrics') or {}).get('uf1')
    progress.finished(task.subject, float(record.get('seconds') or 0.),
                      uf1)


@contextlib.contextmanager
def _environment(values: Dict[str, str]) -> Iterator[None]:
    """Set environment variables while the block runs."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _report_failures(failures: Dict[str, Dict], work_dir: str, kept: bool,
                     again: str = 'run the same command with --resume') -> str:
    """Print one line per failed fold on stderr; return the summary
    (``again`` says how to go on)."""
    rank, _ = get_dist_info()
    if rank == 0:
        for subject, failure in failures.items():
            where = f" (log: {failure['log']})" if failure.get('log') else ''
            print(f"[loso] fold {subject} FAILED: {failure['reason']}{where}",
                  file=sys.stderr, flush=True)
    if kept:
        advice = f'fix the problem and {again}: the finished folds are kept'
    else:
        advice = ('nothing was finished, so the corrected command can run in '
                  f'the same --work-dir {work_dir}')
    return (f'{len(failures)} fold(s) failed '
            f'({", ".join(failures)}); no new fold was started after the '
            f'first failure; {advice}')


def run_loso(opts: LosoOptions) -> Optional[dict]:
    """Run (or resume) a LOSO experiment and write its report.

    A fold that fails stops the run (folds running in parallel finish; no
    new one starts): its reason and log are printed and stored in its
    ``fold_error.json``, and :class:`FoldsFailed` is raised.

    Args:
        opts (LosoOptions): The options.

    Returns:
        dict | None: The report (on rank 0).

    Raises:
        ProtocolError: For options or a config the run refuses.
        FoldsFailed: If a fold failed.
    """
    started = time.time()
    opts.work_dir = osp.abspath(opts.work_dir)
    if opts.keep_checkpoints not in ('last', 'none'):
        raise ProtocolError(
            f"--keep-checkpoints must be 'last' or 'none', got "
            f'{opts.keep_checkpoints!r}')
    if opts.frame_cache not in ('auto', 'off'):
        raise ProtocolError(f"--frame-cache must be 'auto' or 'off', got "
                            f'{opts.frame_cache!r}')
    if opts.jobs is not None and opts.jobs < 1:
        raise ProtocolError(f'--jobs must be >= 1, got {opts.jobs}')
    if opts.launcher != 'none' and opts.jobs not in (None, 1):
        raise ProtocolError('--jobs runs folds as separate processes; with '
                            '--launcher each fold is one distributed job, so '
                            '--jobs must be 1')
    _reuse_stored_options(opts)
    tune_allocator()
    cfg = merged_config(opts)
    if opts.launcher == 'none' or is_distributed():
        return _run_planned(opts, cfg, started)
    with process_group_scope():
        init_dist(opts.launcher,
                  **cfg.get('env_cfg', {}).get('dist_cfg', {}))
        return _run_planned(opts, cfg, started)


def _run_planned(opts: LosoOptions, cfg: Config,
                 started: float) -> Optional[dict]:
    """:func:`run_loso` once the options are checked, the config merged
    and the ranks (if any) started."""
    notes = check_protocol(cfg, opts.select_on_test)
    rank, _ = get_dist_info()
    created = not osp.isdir(opts.work_dir)
    os.makedirs(opts.work_dir, exist_ok=True)
    lock = work_dir_lock(opts.work_dir) if rank == 0 else \
        contextlib.nullcontext()
    with lock:
        try:
            plan = _sync(lambda: prepare_work_dir(opts, cfg))
        except ProtocolError:
            if created and rank == 0:  # leave no trace of a refused run
                shutil.rmtree(opts.work_dir, ignore_errors=True)
            raise
        for note in notes:
            log(f'note: {note}')
        names = fold_names(plan['subjects'])
        pending = [
            s for s in plan['subjects']
            if read_record(osp.join(opts.work_dir, names[s])) is None
        ]
        elsewhere = _sync(lambda: running_folds(opts.work_dir, pending))
        if elsewhere:
            raise ProtocolError(
                f'{opts.work_dir}: fold(s) {", ".join(elsewhere)} are being '
                'run by tools/loso.py --fold processes (pid '
                f'{", ".join(elsewhere.values())}); run this when they have '
                'ended, or run the other folds with --fold too')
        jobs = opts.jobs
        if jobs is None:
            jobs = 1 if opts.launcher != 'none' else default_jobs(
                len(pending))
        threads = opts.threads
        if threads is None and jobs > 1:
            threads = max(1, available_cores() // jobs)
        tasks, done = [], []
        for subject in plan['subjects']:
            task = FoldTask.from_plan(
                plan, opts.work_dir, subject, launcher=opts.launcher,
                threads=threads, keep_checkpoints=opts.keep_checkpoints)
            if read_record(task.fold_dir) is not None:
                done.append(subject)
            else:
                tasks.append(task)
        if done:
            log(f'{len(done)} fold(s) finished earlier and kept: '
                f'{", ".join(done)}')
        _sync(lambda: [write_fold_files(cfg, plan, t) for t in tasks])
        env = {}
        if tasks and opts.frame_cache == 'auto':
            cache = _sync(lambda: prepare_frame_cache(cfg, opts.work_dir))
            if cache:
                env[FRAME_CACHE_ENV] = cache
        progress = Progress(len(plan['subjects']), len(done),
                            jobs if len(tasks) > 1 else 1, log)
        if jobs > 1 and len(tasks) > 1:
            log(f'running {len(tasks)} fold(s), {jobs} at once, '
                f'{threads} thread(s) each')
            failures = run_parallel(
                tasks,
                jobs,
                on_start=lambda t: progress.start(t.subject),
                on_done=lambda t: _report_progress(progress, t),
                env=env)
        else:
            quiet = not opts.verbose and opts.launcher == 'none'
            with _environment(env):
                failures = _run_in_process(tasks, progress, quiet)
        if failures:
            raise FoldsFailed(
                _report_failures(failures, opts.work_dir,
                                 has_work(opts.work_dir)), failures)

        def finish() -> dict:
            plan['invocations'][-1].update(
                jobs=jobs,
                threads=threads,
                folds_run=len(tasks),
                wall_seconds=round(time.time() - started, 2))
            write_json(osp.join(opts.work_dir, PLAN_FILE), plan)
            return write_report(opts.work_dir, plan)

        report = _sync(finish)
    return report if rank == 0 else None
