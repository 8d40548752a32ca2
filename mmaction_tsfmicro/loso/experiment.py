"""A whole LOSO experiment: plan the folds, run them (in this process, in
parallel subprocesses with ``--jobs``, or as one distributed job per fold)
and write the pooled report."""
import contextlib
import os
import os.path as osp
import shutil
import sys
from typing import Dict, List, Optional

from mmengine.dist import (broadcast_object_list, get_dist_info, init_dist,
                           is_distributed)

from ..utils.cli import debug_enabled, one_line
from ..utils.resources import available_cores
from .fold import (FoldTask, clear_failure, record_failure, run_fold,
                   write_fold_files)
from .options import LosoOptions, merged_config, reuse_options
from .parallel import run_parallel
from .protocol import ProtocolError, check_protocol
from .report import write_report
from .subjects import fold_names
from .work_dir import (has_work, log, prepare_work_dir, read_record,
                       stored_options, work_dir_lock)


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


def _run_in_process(tasks: List[FoldTask]) -> Dict[str, Dict]:
    """Run the folds one after another in this process; stop at the first
    that fails and return why it failed."""
    rank, _ = get_dist_info()
    for i, task in enumerate(tasks, 1):
        log(f'fold {task.subject} ({i}/{len(tasks)})')
        if rank == 0:
            clear_failure(task.fold_dir)
        try:
            run_fold(task)
        except Exception as exc:  # noqa: BLE001 - reported as a failure
            if debug_enabled():
                raise
            failure = record_failure(task, exc) if rank == 0 else dict(
                reason=one_line(exc), log=None)
            return {task.subject: failure}
    return {}


def _report_failures(failures: Dict[str, Dict], work_dir: str,
                     kept: bool) -> str:
    """Print one line per failed fold on stderr; return the summary."""
    rank, _ = get_dist_info()
    if rank == 0:
        for subject, failure in failures.items():
            where = f" (log: {failure['log']})" if failure.get('log') else ''
            print(f"[loso] fold {subject} FAILED: {failure['reason']}{where}",
                  file=sys.stderr, flush=True)
    if kept:
        advice = ('fix the problem and run the same command with --resume: '
                  'the finished folds are kept')
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
    opts.work_dir = osp.abspath(opts.work_dir)
    if opts.keep_checkpoints not in ('last', 'none'):
        raise ProtocolError(
            f"--keep-checkpoints must be 'last' or 'none', got "
            f'{opts.keep_checkpoints!r}')
    if opts.jobs < 1:
        raise ProtocolError(f'--jobs must be >= 1, got {opts.jobs}')
    if opts.launcher != 'none' and opts.jobs != 1:
        raise ProtocolError('--jobs runs folds as separate processes; with '
                            '--launcher each fold is one distributed job, so '
                            '--jobs must be 1')
    _reuse_stored_options(opts)
    cfg = merged_config(opts)
    if opts.launcher != 'none' and not is_distributed():
        init_dist(opts.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
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
        threads = opts.threads
        if threads is None and opts.jobs > 1:
            threads = max(1, available_cores() // opts.jobs)
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
            log(f'{len(done)} fold(s) finished earlier and kept: '
                f'{", ".join(done)}')
        _sync(lambda: [write_fold_files(cfg, plan, t) for t in tasks])
        if opts.jobs > 1 and len(tasks) > 1:
            log(f'running {len(tasks)} fold(s), {opts.jobs} at once, '
                f'{threads} thread(s) each')
            failures = run_parallel(tasks, opts.jobs)
        else:
            failures = _run_in_process(tasks)
        if failures:
            raise FoldsFailed(
                _report_failures(failures, opts.work_dir,
                                 has_work(opts.work_dir)), failures)
        report = _sync(lambda: write_report(opts.work_dir, plan))
    return report if rank == 0 else None
