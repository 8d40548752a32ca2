"""A LOSO experiment, the one orchestrator of ``tools/loso.py``: plan the
folds, run them and write the pooled report.

The folds run in this process (``--jobs 1``), in worker processes
(``--jobs N``, :mod:`.pool`), as one distributed job per fold
(``--launcher``), or one of them in this process (``--fold``, a Slurm
array's task). ``--fold`` is a mode of the same run: the first task plans
the run and builds the frame cache; the others check their options against
the plan (as ``--resume`` does). Each task runs only its fold, under the
fold's lock, so tasks run side by side; the run's lock is held only for
the moments of planning and reporting. The task that finishes the last
fold writes the pooled report, as a whole run would.
"""
import contextlib
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List, Optional, Tuple, Union

from mmengine.config import Config
from mmengine.dist import (broadcast_object_list, get_dist_info, init_dist,
                           is_distributed)

from ..engine.runner_args import process_group_scope
from ..utils.cli import debug_enabled, one_line
from ..utils.fileio import read_json, write_json
from ..utils.resources import available_cores
from .fold import (FoldTask, clear_failure, record_failure, run_fold,
                   run_fold_logged, write_fold_files)
from .frames import prepare_frame_cache
from .locks import fold_lock, running_folds, work_dir_lock
from .options import LosoOptions, merged_config, reuse_options
from .pool import default_jobs, fit_jobs, prepare_fold_process, run_parallel
from .preflight import check_buildable
from .progress import Progress
from .protocol import ProtocolError, check_protocol
from .report import write_report
from .subjects import choose_subjects, config_subjects, fold_names
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


def pick_subject(subjects: List[str], fold: Union[str, int]) -> str:
    """The subject ``fold`` names: a subject of the run, or its 0-based
    index in the run's subject list (a Slurm array's task id).

    Args:
        subjects (list[str]): The run's subjects, in order.
        fold (str | int): A subject key or an index.

    Returns:
        str: The subject.

    Raises:
        ProtocolError: If ``fold`` is neither.
    """
    text = str(fold).strip()
    if text in subjects:
        return text
    if text.isdigit():
        index = int(text)
        if index < len(subjects):
            return subjects[index]
        raise ProtocolError(
            f'--fold {text}: the run has {len(subjects)} folds, so an index '
            f'runs from 0 to {len(subjects) - 1} (e.g. #SBATCH '
            f'--array=0-{len(subjects) - 1})')
    shown = ', '.join(subjects[:8]) + (', ...' if len(subjects) > 8 else '')
    raise ProtocolError(f'--fold {text}: not a subject of the run ({shown}) '
                        'nor an index into its subject list')


def _check_options(opts: LosoOptions) -> None:
    """Refuse options that cannot go together, before anything runs."""
    if opts.keep_checkpoints not in ('last', 'none'):
        raise ProtocolError(
            f"--keep-checkpoints must be 'last' or 'none', got "
            f'{opts.keep_checkpoints!r}')
    if opts.frame_cache not in ('auto', 'off'):
        raise ProtocolError(f"--frame-cache must be 'auto' or 'off', got "
                            f'{opts.frame_cache!r}')
    if opts.allocator not in ('tuned', 'glibc'):
        raise ProtocolError(f"--allocator must be 'tuned' or 'glibc', got "
                            f'{opts.allocator!r}')
    if opts.jobs is not None and opts.jobs < 1:
        raise ProtocolError(f'--jobs must be >= 1, got {opts.jobs}')
    if opts.fold is not None:
        if opts.launcher != 'none':
            raise ProtocolError('--fold runs one fold in this process; run a '
                                'fold over several processes with '
                                '--launcher and no --fold')
        if opts.jobs not in (None, 1):
            raise ProtocolError('--fold runs one fold: --jobs must be 1')
    elif opts.launcher != 'none' and opts.jobs not in (None, 1):
        raise ProtocolError('--jobs runs folds as separate processes; with '
                            '--launcher each fold is one distributed job, so '
                            '--jobs must be 1')


def _reuse_stored_options(opts: LosoOptions) -> None:
    """``--resume`` (and every ``--fold`` task of an existing run): take the
    run's options (:func:`~.options.reuse_options`); a run with nothing to
    keep takes the given ones instead of refusing them."""
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


def run_loso(opts: LosoOptions) -> Optional[dict]:
    """Run (or resume) a LOSO experiment, or one fold of it
    (``opts.fold``), and write its report.

    A fold that fails stops the run (folds running in parallel finish; no
    new one starts): its reason and log are printed and stored in its
    ``fold_error.json``, and :class:`FoldsFailed` is raised.

    Args:
        opts (LosoOptions): The options.

    Returns:
        dict | None: The report (on rank 0; with ``opts.fold``, only from
        the task that finished the run's last fold).

    Raises:
        ProtocolError: For options or a config the run refuses.
        FoldsFailed: If a fold failed.
    """
    started = time.time()
    opts.work_dir = osp.abspath(opts.work_dir)
    _check_options(opts)
    prepare_fold_process(opts.allocator)
    if opts.fold is not None:
        return _run_one_fold(opts, started)
    _reuse_stored_options(opts)
    cfg = merged_config(opts)
    if opts.launcher == 'none' or is_distributed():
        return _run_planned(opts, cfg, started)
    with process_group_scope():
        init_dist(opts.launcher,
                  **cfg.get('env_cfg', {}).get('dist_cfg', {}))
        return _run_planned(opts, cfg, started)


def _pending(plan: Dict, work_dir: str) -> List[str]:
    """The subjects of the plan whose fold has not finished."""
    names = fold_names(plan['subjects'])
    return [
        s for s in plan['subjects']
        if read_record(osp.join(work_dir, names[s])) is None
    ]


def _seed(cfg: Config) -> int:
    return int((cfg.get('randomness') or {}).get('seed') or 0)


def _preflight(opts: LosoOptions, cfg: Config) -> None:
    """Build what a fold builds (:func:`~.preflight.check_buildable`)
    before the work dir is written."""
    subjects = choose_subjects(config_subjects(cfg), opts.subjects)
    check_buildable(cfg, subjects, _seed(cfg), opts.select_on_test)


def _frame_cache(opts: LosoOptions, cfg: Config) -> Optional[str]:
    return prepare_frame_cache(cfg, opts.work_dir) \
        if opts.frame_cache == 'auto' else None


@contextlib.contextmanager
def _removed_if_refused(work_dir: str, created: bool):
    """Leave no trace of a refused run in a work dir it created."""
    try:
        yield
    except ProtocolError:
        if created and get_dist_info()[0] == 0:
            shutil.rmtree(work_dir, ignore_errors=True)
        raise


def _run_planned(opts: LosoOptions, cfg: Config,
                 started: float) -> Optional[dict]:
    """A whole run once the options are checked, the config merged and the
    ranks (if any) started."""
    notes = check_protocol(cfg, opts.select_on_test)
    rank, _ = get_dist_info()
    created = not osp.isdir(opts.work_dir)
    os.makedirs(opts.work_dir, exist_ok=True)
    lock = work_dir_lock(opts.work_dir) if rank == 0 else \
        contextlib.nullcontext()
    with lock:
        with _removed_if_refused(opts.work_dir, created):
            # the work dir's refusals first, then what a fold builds, then
            # the plan is written
            plan = _sync(lambda: prepare_work_dir(
                opts, cfg, before_writing=lambda: _preflight(opts, cfg)))
        for note in notes:
            log(f'note: {note}')
        pending = _pending(plan, opts.work_dir)
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
        elif jobs > 1 and len(pending) > 1:
            jobs, capped = fit_jobs(jobs)
            if capped:
                log(capped)
        threads = opts.threads
        if threads is None and jobs > 1:
            threads = max(1, available_cores() // jobs)
        tasks = [
            FoldTask.from_plan(plan, opts.work_dir, subject,
                               launcher=opts.launcher, threads=threads,
                               keep_checkpoints=opts.keep_checkpoints)
            for subject in pending
        ]
        done = [s for s in plan['subjects'] if s not in pending]
        if done:
            log(f'{len(done)} fold(s) finished earlier and kept: '
                f'{", ".join(done)}')
        cache = _sync(lambda: _frame_cache(opts, cfg)) if tasks else None
        _sync(lambda: [write_fold_files(cfg, plan, t, cache) for t in tasks])
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
                allocator=opts.allocator)
        else:
            quiet = not opts.verbose and opts.launcher == 'none'
            failures = _run_in_process(tasks, progress, quiet)
        if failures:
            raise FoldsFailed(
                report_failures(failures, opts.work_dir,
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


def _run_one_fold(opts: LosoOptions, started: float) -> Optional[dict]:
    """``--fold``: run one fold of the run in ``opts.work_dir`` in this
    process; write the report if it was the last one left."""
    created = not osp.isdir(opts.work_dir)
    os.makedirs(opts.work_dir, exist_ok=True)
    # the cores the scheduler gave this task (its affinity), not every
    # core of the node
    threads = opts.threads or available_cores()
    with contextlib.ExitStack() as stack:
        with work_dir_lock(opts.work_dir, mode='fold'):
            with _removed_if_refused(opts.work_dir, created):
                if stored_options(opts.work_dir) is not None:
                    opts.resume = True  # the run exists: its options
                    _reuse_stored_options(opts)
                cfg = merged_config(opts)
                notes = check_protocol(cfg, opts.select_on_test)
                # the fold is checked before the plan records this command
                subject = pick_subject(
                    choose_subjects(config_subjects(cfg), opts.subjects),
                    opts.fold)
                plan = prepare_work_dir(
                    opts, cfg, shared=True,
                    before_writing=lambda: check_buildable(
                        cfg, [subject], _seed(cfg), opts.select_on_test))
            invocation = len(plan['invocations']) - 1
            task = FoldTask.from_plan(
                plan, opts.work_dir, subject, threads=threads,
                keep_checkpoints=opts.keep_checkpoints)
            for note in notes:
                log(f'note: {note}')
            record = read_record(task.fold_dir)
            if record is None:
                # held until the fold ends, after the run's lock is let go
                stack.enter_context(fold_lock(task.fold_dir))
                write_fold_files(cfg, plan, task, _frame_cache(opts, cfg))
        if record is not None:
            log(f'fold {task.subject} finished earlier; nothing to run')
            folds_run = 0
        else:
            done = len(plan['subjects']) - len(
                _pending(plan, opts.work_dir))
            progress = Progress(len(plan['subjects']), done, 1, log)
            failures = _run_in_process([task], progress, not opts.verbose)
            if failures:
                raise FoldsFailed(
                    report_failures(
                        failures, opts.work_dir, has_work(opts.work_dir),
                        again='run the same command again'), failures)
            record = read_record(task.fold_dir)
            folds_run = 1
    with work_dir_lock(opts.work_dir, mode='fold'):
        report, left = _finish_fold(
            opts.work_dir, invocation,
            dict(fold=task.subject, jobs=1, threads=task.threads,
                 folds_run=folds_run), started)
    if report is None:
        log(f"fold {record['subject']}: UF1 {record['metrics']['uf1']:.4f}; "
            f'{left} fold(s) of the run left: the report is written when '
            'the last one finishes')
    return report


def _finish_fold(work_dir: str, invocation: int, updates: Dict,
                 started: float) -> Tuple[Optional[Dict], int]:
    """Under the run's lock: record this invocation in the plan (as others
    may have changed it since) and write the report if every fold has
    finished; return the report (None if folds are left) and the number
    of folds left."""
    plan_path = osp.join(work_dir, PLAN_FILE)
    plan = read_json(plan_path)
    plan['invocations'][invocation].update(
        updates, wall_seconds=round(time.time() - started, 2))
    write_json(plan_path, plan)
    left = _pending(plan, work_dir)
    if left:
        return None, len(left)
    return write_report(work_dir, plan), 0


def _run_in_process(tasks: List[FoldTask], progress: Progress,
                    quiet: bool) -> Dict[str, Dict]:
    """Run the folds one after another in this process; stop at the first
    that fails and return why it failed. With ``quiet`` each fold's output
    goes to its ``worker.log``."""
    rank, _ = get_dist_info()
    quiet = quiet and not debug_enabled()
    for i, task in enumerate(tasks, 1):
        where = f' (log: {osp.join(task.fold_dir, WORKER_LOG)})' if quiet \
            else ''
        log(f'fold {task.subject} ({i}/{len(tasks)}){where}')
        if rank == 0:
            clear_failure(task.fold_dir)
        progress.start(task.subject)
        if quiet:
            failure = run_fold_logged(
                task, f'fold {task.subject} in process {os.getpid()}')
        else:
            try:
                run_fold(task)
                failure = None
            except Exception as exc:  # noqa: BLE001 - reported as a failure
                if debug_enabled():
                    raise
                failure = record_failure(task, exc) if rank == 0 else dict(
                    reason=one_line(exc), log=None)
        if failure is not None:
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


def report_failures(failures: Dict[str, Dict], work_dir: str, kept: bool,
                     again: str = 'run the same command with --resume') -> str:
    """Print one line per failed fold on stderr; return the summary
    (``again`` says how to go on)."""
    rank, _ = get_dist_info()
    if rank == 0:
        # one line per reason: folds that met the same full disk say it
        # once
        by_reason: Dict[str, List[str]] = {}
        for subject, failure in failures.items():
            by_reason.setdefault(failure['reason'], []).append(subject)
        for reason, subjects in by_reason.items():
            logs = [failures[s]['log'] for s in subjects
                    if failures[s].get('log')]
            where = (f" (log: {logs[0]})" if len(logs) == 1 else
                     f" (logs: {', '.join(logs)})" if logs else '')
            print(f"[loso] fold {', '.join(subjects)} FAILED: {reason}"
                  f'{where}', file=sys.stderr, flush=True)
    if kept:
        advice = f'fix the problem and {again}: the finished folds are kept'
    else:
        advice = ('nothing was finished, so the corrected command can run in '
                  f'the same --work-dir {work_dir}')
    return (f'{len(failures)} fold(s) failed '
            f'({", ".join(failures)}); no new fold was started after the '
            f'first failure; {advice}')
