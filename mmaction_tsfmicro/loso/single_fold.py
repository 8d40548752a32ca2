"""One fold of a LOSO run in a process of its own: ``tools/loso.py --fold``.

A Slurm array (or any scheduler) runs one task per subject, all into one
work dir::

    python tools/loso.py CONFIG --work-dir DIR --fold $SLURM_ARRAY_TASK_ID

The first task to come plans the run (``loso_plan.json``) and builds the
frame cache; the others check their options against the plan (as
``--resume`` does) and refuse a different config, seed, subject list or
option. Each task runs only its fold, under the fold's own lock, so tasks
run side by side; the run's lock is held only for the moments of planning
and reporting. The task that finishes the last fold writes the pooled
report, as a whole run would; a task whose fold had finished earlier only
checks the report. A task that is killed or preempted resumes its fold
from its last checkpoint when started again.
"""
import contextlib
import os
import os.path as osp
import shutil
import time
from typing import Dict, Optional, Tuple, Union

from ..datasets.frame_cache import FRAME_CACHE_ENV
from ..utils.fileio import read_json, write_json
from ..utils.resources import available_cores
from .allocator import tune_allocator
from .experiment import (FoldsFailed, _environment, _report_failures,
                         _reuse_stored_options, _run_in_process)
from .fold import FoldTask, write_fold_files
from .frames import prepare_frame_cache
from .locks import fold_lock, work_dir_lock
from .options import LosoOptions, merged_config
from .progress import Progress
from .protocol import ProtocolError, check_protocol
from .report import write_report
from .subjects import choose_subjects, config_subjects, fold_names
from .work_dir import (PLAN_FILE, has_work, log, prepare_work_dir, read_record,
                       stored_options)


def pick_subject(subjects: list, fold: Union[str, int]) -> str:
    """The subject ``fold`` names: a subject of the plan, or its 0-based
    index in the plan's subject list (a Slurm array's task id).

    Args:
        subjects (list[str]): The plan's subjects, in order.
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


def _plan_fold(opts: LosoOptions, fold: Union[str, int], threads):
    """Under the run's lock: take the run's options, make or check the
    plan, build the frame cache; return what the fold needs."""
    if stored_options(opts.work_dir) is not None:
        opts.resume = True  # the run exists: its options, checked
        _reuse_stored_options(opts)
    cfg = merged_config(opts)
    notes = check_protocol(cfg, opts.select_on_test)
    # the fold is checked before the plan records this command
    subject = pick_subject(
        choose_subjects(config_subjects(cfg), opts.subjects), fold)
    plan = prepare_work_dir(opts, cfg, shared=True)
    invocation = len(plan['invocations']) - 1
    task = FoldTask.from_plan(
        plan, opts.work_dir, subject, threads=threads,
        keep_checkpoints=opts.keep_checkpoints)
    env = {}
    if read_record(task.fold_dir) is None and opts.frame_cache == 'auto':
        cache = prepare_frame_cache(cfg, opts.work_dir)
        if cache:
            env[FRAME_CACHE_ENV] = cache
    return cfg, plan, notes, invocation, task, env


def _finish(work_dir: str, invocation: int, updates: Dict,
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
    names = fold_names(plan['subjects'])
    left = [
        s for s in plan['subjects']
        if read_record(osp.join(work_dir, names[s])) is None
    ]
    if left:
        return None, len(left)
    return write_report(work_dir, plan), 0


def run_single_fold(
        opts: LosoOptions,
        fold: Union[str, int]) -> Tuple[Dict, Optional[Dict], int]:
    """Run one fold of the run in ``opts.work_dir``; write the report if it
    was the last one left.

    Args:
        opts (LosoOptions): The options (``jobs`` must be 1 or None and
            the launcher ``'none'``).
        fold (str | int): The subject, or its index in the run's subjects.

    Returns:
        tuple: The fold's record, the report (None while folds are left)
        and the number of folds left.

    Raises:
        ProtocolError: For options the run refuses, a fold another
            process runs, a work dir a whole run holds.
        FoldsFailed: If the fold failed.
    """
    started = time.time()
    opts.work_dir = osp.abspath(opts.work_dir)
    if opts.launcher != 'none':
        raise ProtocolError('--fold runs one fold in this process; run a '
                            'fold over several processes with --launcher '
                            'and no --fold')
    if opts.jobs not in (None, 1):
        raise ProtocolError('--fold runs one fold: --jobs must be 1')
    if opts.keep_checkpoints not in ('last', 'none'):
        raise ProtocolError(
            f"--keep-checkpoints must be 'last' or 'none', got "
            f'{opts.keep_checkpoints!r}')
    tune_allocator()
    created = not osp.isdir(opts.work_dir)
    os.makedirs(opts.work_dir, exist_ok=True)
    with contextlib.ExitStack() as stack:
        with work_dir_lock(opts.work_dir, mode='fold'):
            try:
                # the cores the scheduler gave this task (its affinity),
                # not every core of the node
                threads = opts.threads or available_cores()
                cfg, plan, notes, invocation, task, env = _plan_fold(
                    opts, fold, threads)
            except ProtocolError:
                if created:  # leave no trace of a refused run
                    shutil.rmtree(opts.work_dir, ignore_errors=True)
                raise
            for note in notes:
                log(f'note: {note}')
            record = read_record(task.fold_dir)
            if record is None:
                # held until the fold ends, after the run's lock is let go
                stack.enter_context(fold_lock(task.fold_dir))
                write_fold_files(cfg, plan, task)
        names = fold_names(plan['subjects'])
        done = sum(
            read_record(osp.join(opts.work_dir, names[s])) is not None
            for s in plan['subjects'])
        if record is not None:
            log(f'fold {task.subject} finished earlier; nothing to run')
            folds_run = 0
        else:
            progress = Progress(len(plan['subjects']), done, 1, log)
            quiet = not opts.verbose
            with _environment(env):
                failures = _run_in_process([task], progress, quiet)
            if failures:
                raise FoldsFailed(
                    _report_failures(
                        failures, opts.work_dir, has_work(opts.work_dir),
                        again='run the same command again'), failures)
            record = read_record(task.fold_dir)
            folds_run = 1
    with work_dir_lock(opts.work_dir, mode='fold'):
        report, left = _finish(
            opts.work_dir, invocation,
            dict(fold=task.subject, jobs=1, threads=task.threads,
                 folds_run=folds_run), started)
    return record, report, left
