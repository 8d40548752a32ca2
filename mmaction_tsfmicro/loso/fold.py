"""One LOSO fold: its task, running it (:func:`run_fold`, or
:func:`run_fold_logged` with its output in the fold's ``worker.log``),
and the record of a failure."""
import contextlib
import gc
import glob
import os
import os.path as osp
import time
import traceback
from dataclasses import dataclass
from typing import Dict, Optional

from mmengine.config import Config
from mmengine.dist import (barrier, broadcast_object_list, get_dist_info,
                           is_distributed)

from ..engine.hooks import dataset_subjects
from ..engine.runner_args import build_runner
from ..utils.cli import one_line
from ..utils.fileio import (DiskFullError, disk_full_error, is_disk_full,
                            no_space_left, read_json, write_json, write_text)
from ..utils.stdio import redirect_fds
from .checkpoints import find_resume_checkpoint, prune_checkpoints
from .fold_config import build_fold_config
from .protocol import ProtocolError
from .selection import select_epoch
from .subjects import fold_names
from .work_dir import (ERROR_FILE, FOLD_CONFIG, FOLD_PREDICTIONS, FOLD_RECORD,
                       WORKER_LOG, config_text, now)


@dataclass
class FoldTask:
    """One fold to run.

    Args:
        subject (str): The test subject's key.
        fold_dir (str): The fold folder.
        select_on_test (bool): Whether epochs are evaluated (and
            selected) on the test subject.
        selection_metric (str, optional): The metric of that selection.
        max_epochs (int): Training epochs.
        launcher (str): The distributed launcher, or ``'none'``.
        threads (int, optional): Torch threads.
        keep_checkpoints (str): ``'last'`` or ``'none'``.
    """
    subject: str
    fold_dir: str
    select_on_test: bool
    selection_metric: Optional[str]
    max_epochs: int
    launcher: str = 'none'
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'

    @classmethod
    def from_plan(cls, plan: Dict, work_dir: str, subject: str,
                  **kwargs) -> 'FoldTask':
        """The task of ``subject``'s fold of a run's ``plan``; ``kwargs``
        set how it runs (``launcher``, ``threads``, ``keep_checkpoints``).
        """
        return cls(
            subject=subject,
            fold_dir=osp.join(work_dir, fold_names(plan['subjects'])[subject]),
            select_on_test=plan['select_on_test'],
            selection_metric=plan['selection_metric'],
            max_epochs=plan['max_epochs'],
            **kwargs)


def write_fold_files(cfg: Config, plan: Dict, task: FoldTask,
                     frame_cache: Optional[str] = None) -> None:
    """Write the fold's config (rank 0); it reads its frames through
    ``frame_cache`` if given."""
    fold_cfg = build_fold_config(cfg, task.subject, task.fold_dir,
                                 plan['seed'], plan['select_on_test'],
                                 frame_cache)
    os.makedirs(task.fold_dir, exist_ok=True)
    write_text(osp.join(task.fold_dir, FOLD_CONFIG), config_text(fold_cfg))


def _close_log_files(runner) -> None:
    import logging
    for handler in list(runner.logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            runner.logger.removeHandler(handler)


def train_step_times(runner) -> Optional[Dict]:
    """Mean seconds of a training iteration and of its wait for data
    (MMEngine's ``IterTimerHook``), over every iteration the fold trained
    (a resumed fold's earlier ones too: they come back with the checkpoint's
    message hub); None if it trained none."""
    scalars = runner.message_hub.log_scalars
    step, data = scalars.get('train/time'), scalars.get('train/data_time')
    if step is None or not len(step.data[0]):
        return None
    return dict(
        iterations=len(step.data[0]),
        seconds=round(float(step.mean()), 4),
        data_seconds=None if data is None else round(float(data.mean()), 4))


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
        train_step = train_step_times(runner)
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
            seconds=round(time.time() - started, 2),
            train_step=train_step)
        write_json(osp.join(task.fold_dir, FOLD_RECORD), record)
    if is_distributed():
        barrier()
    return record


def fold_log(fold_dir: str) -> Optional[str]:
    """The newest log of a fold: its subprocess's ``worker.log`` or the log
    MMEngine writes in ``<fold>/<timestamp>/``."""
    logs = glob.glob(osp.join(fold_dir, WORKER_LOG)) + glob.glob(
        osp.join(fold_dir, '*', '*.log'))
    return max(logs, key=osp.getmtime) if logs else None


def record_failure(task: FoldTask, exc: BaseException) -> Dict:
    """Write why a fold failed (``fold_error.json``) and return it.

    A full disk is said to be, naming the work dir, whatever the writer
    that met it said (torch says ``file write failed``).
    """
    work_dir = osp.dirname(osp.abspath(task.fold_dir))
    full = is_disk_full(exc) or no_space_left(work_dir)
    failure = dict(
        subject=task.subject,
        reason=str(disk_full_error(work_dir)) if full else one_line(exc),
        error=type(exc).__name__,
        log=fold_log(task.fold_dir),
        time=now())
    try:
        write_json(osp.join(task.fold_dir, ERROR_FILE), failure)
    except DiskFullError:
        pass  # reported all the same; nothing can be written there now
    return failure


def read_failure(fold_dir: str) -> Optional[Dict]:
    """Why a fold failed, if it did (``fold_error.json``)."""
    path = osp.join(fold_dir, ERROR_FILE)
    return read_json(path) if osp.isfile(path) else None


def clear_failure(fold_dir: str) -> None:
    """Forget an earlier failure of a fold that runs again."""
    path = osp.join(fold_dir, ERROR_FILE)
    if osp.isfile(path):
        os.remove(path)


def log_header(what: str) -> str:
    """The line that opens each attempt in ``worker.log``."""
    return f'\n==== {now()} {what}\n'


def run_fold_logged(task: FoldTask, what: str) -> Optional[Dict]:
    """Run a fold with this process's output (C code's included) appended
    to the fold's ``worker.log``; return None when it finished, else why
    it failed (also written to ``fold_error.json``; the traceback goes to
    the log).

    Args:
        task (FoldTask): The fold.
        what (str): Who runs it, for the log's header line.

    Returns:
        dict | None: The failure, if any.
    """
    log_path = osp.join(task.fold_dir, WORKER_LOG)
    try:
        os.makedirs(task.fold_dir, exist_ok=True)
        with open(log_path, 'a') as f:
            f.write(log_header(what))
        with redirect_fds(log_path):
            try:
                run_fold(task)  # collects its garbage when it ends
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                with contextlib.suppress(OSError):  # the log's disk is full
                    traceback.print_exc()
                return record_failure(task, exc)
    except (OSError, DiskFullError) as exc:
        if not is_disk_full(exc):
            raise
        # the log itself could not be written
        return record_failure(task, exc)
    return None
