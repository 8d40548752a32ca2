"""Run the folds of a LOSO experiment: in this process, in parallel
subprocesses (``--jobs``), or as one distributed job per fold.

Also the entry point of a fold's subprocess::

    python -m mmaction_tsfmicro.loso.runner DIR/fold_<subject>
"""
import argparse
import contextlib
import gc
import os
import os.path as osp
import shutil
import sys
import time
import traceback
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import (barrier, broadcast_object_list, get_dist_info,
                           init_dist, is_distributed)

from ..utils.fileio import read_json, write_json, write_text
from .folds import (FOLD_CONFIG, FOLD_PREDICTIONS, FOLD_RECORD, TASK_FILE,
                    FoldTask, ProtocolError, build_fold_config, check_protocol,
                    find_resume_checkpoint, fold_names, prune_checkpoints,
                    read_record)
from .parallel import run_parallel
from .plan import (LosoOptions, config_text, log, merged_config, now,
                   prepare_work_dir, work_dir_lock)


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

    from ..apis.runner_args import build_runner
    from ..engine.hooks import dataset_subjects
    from .selection import select_epoch

    rank, world_size = get_dist_info()
    if task.threads:
        torch.set_num_threads(task.threads)
    resume_from = [
        find_resume_checkpoint(task.fold_dir) if rank == 0 else None
    ]
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
        prune_checkpoints(task.fold_dir,
                          last if task.keep_checkpoints == 'last' else None)
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
            finished=now(),
            seconds=round(time.time() - started, 2))
        write_json(osp.join(task.fold_dir, FOLD_RECORD), record)
    if is_distributed():
        barrier()
    return record


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


def _worker_main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of a fold's subprocess."""
    parser = argparse.ArgumentParser(
        description='Run one LOSO fold (started by tools/loso.py)')
    parser.add_argument(
        'fold_dir',
        help='the fold folder (with '
        f'{FOLD_CONFIG} and {TASK_FILE})')
    args = parser.parse_args(argv)
    import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
    task = FoldTask(**read_json(osp.join(args.fold_dir, TASK_FILE)))
    try:
        run_fold(task)
    except Exception:
        traceback.print_exc()
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(_worker_main())
