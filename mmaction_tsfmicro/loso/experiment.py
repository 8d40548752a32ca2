"""A whole LOSO experiment: plan the folds, run them (in this process, in
parallel subprocesses with ``--jobs``, or as one distributed job per fold)
and write the pooled report."""
import contextlib
import os
import os.path as osp
import shutil
from typing import List, Optional

from mmengine.dist import (broadcast_object_list, get_dist_info, init_dist,
                           is_distributed)

from .fold import FoldTask, run_fold, write_fold_files
from .options import LosoOptions, merged_config
from .parallel import run_parallel
from .protocol import ProtocolError, check_protocol
from .report import write_report
from .subjects import fold_names
from .work_dir import log, prepare_work_dir, read_record, work_dir_lock


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
            log(f'{len(done)} fold(s) finished earlier and kept: '
                f'{", ".join(done)}')
        _sync(lambda: [write_fold_files(cfg, plan, t) for t in tasks])
        failed: List[str] = []
        if opts.jobs > 1 and len(tasks) > 1:
            log(f'running {len(tasks)} fold(s), {opts.jobs} at once, '
                f'{threads} thread(s) each')
            failed = run_parallel(tasks, opts.jobs)
        else:
            for i, task in enumerate(tasks, 1):
                log(f'fold {task.subject} ({i}/{len(tasks)})')
                run_fold(task)
        if failed:
            log(f'{len(failed)} fold(s) failed: {", ".join(failed)}; the '
                'finished folds are kept: fix the problem and run again '
                'with --resume')
            return None
        report = _sync(lambda: write_report(opts.work_dir, plan))
    return report if rank == 0 else None
