"""One LOSO fold: its task, running it, and its subprocess entry points::

    python -m mmaction_tsfmicro.loso.fold DIR/fold_<subject>
    python -m mmaction_tsfmicro.loso.fold --serve

The first runs one fold. The second is the long-lived worker of
``tools/loso.py --jobs N``: it reads fold folders from its standard input,
one a line, runs each in turn (its output goes to the fold's
``worker.log``) and answers each with one JSON line on its standard
output; so the start-up cost (Python, torch, MMAction2) is paid once per
worker, not once per fold. A worker ends after a fold that failed, or when
its input ends.
"""
import argparse
import contextlib
import gc
import glob
import json
import os
import os.path as osp
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Dict, Iterator, Optional, Sequence, TextIO

from mmengine.config import Config
from mmengine.dist import (barrier, broadcast_object_list, get_dist_info,
                           is_distributed)

from ..engine.runner_args import build_runner
from ..engine.hooks import dataset_subjects
from ..utils.cli import one_line
from ..utils.fileio import read_json, write_json, write_text
from .checkpoints import find_resume_checkpoint, prune_checkpoints
from .fold_config import build_fold_config
from .protocol import ProtocolError
from .selection import select_epoch
from .subjects import fold_names
from .work_dir import (ERROR_FILE, FOLD_CONFIG, FOLD_PREDICTIONS, FOLD_RECORD,
                       TASK_FILE, WORKER_LOG, config_text, now)


@dataclass
class FoldTask:
    """One fold to run (``fold_task.json``).

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

    def to_dict(self) -> dict:
        """A JSON-able copy."""
        return dict(self.__dict__)

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


def fold_log(fold_dir: str) -> Optional[str]:
    """The newest log of a fold: its subprocess's ``worker.log`` or the log
    MMEngine writes in ``<fold>/<timestamp>/``."""
    logs = glob.glob(osp.join(fold_dir, WORKER_LOG)) + glob.glob(
        osp.join(fold_dir, '*', '*.log'))
    return max(logs, key=osp.getmtime) if logs else None


def record_failure(task: FoldTask, exc: BaseException) -> Dict:
    """Write why a fold failed (``fold_error.json``) and return it."""
    failure = dict(
        subject=task.subject,
        reason=one_line(exc),
        error=type(exc).__name__,
        log=fold_log(task.fold_dir),
        time=now())
    write_json(osp.join(task.fold_dir, ERROR_FILE), failure)
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


@contextlib.contextmanager
def fold_output(fold_dir: str, what: str) -> Iterator[TextIO]:
    """Send this process's output (MMEngine's log, warnings, tracebacks)
    to the fold's ``worker.log`` while the block runs: the quiet console
    of ``tools/loso.py`` with one job (``--verbose`` keeps it)."""
    os.makedirs(fold_dir, exist_ok=True)
    with open(osp.join(fold_dir, WORKER_LOG), 'a') as out:
        out.write(log_header(what))
        out.flush()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            yield out


@contextlib.contextmanager
def _fds_to(path: Optional[str]) -> Iterator[None]:
    """Point file descriptors 1 and 2 (what C code prints too) at ``path``
    (appended; ``os.devnull`` if None) while the block runs."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                 0o666)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, ) + saved:
            os.close(f)


def _run_task_file(fold_dir: str) -> bool:
    """Run the fold of ``fold_dir``; on failure print the traceback and
    record the reason (``fold_error.json``) if the task could be read."""
    task = None
    try:
        import mmaction_tsfmicro.plugin  # noqa: F401  (registers it)
        task = FoldTask(**read_json(osp.join(fold_dir, TASK_FILE)))
        run_fold(task)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        traceback.print_exc()
        if task is not None:
            record_failure(task, exc)
        return False
    return True


def serve(stdin: TextIO, result_fd: int) -> int:
    """The worker loop of ``--serve`` (see the module docstring).

    Args:
        stdin (TextIO): Fold folders, one a line.
        result_fd (int): Where each answer line goes.

    Returns:
        int: 0 when the input ended, 1 after a failed fold.
    """
    for line in stdin:
        fold_dir = line.strip()
        if not fold_dir:
            continue
        os.makedirs(fold_dir, exist_ok=True)
        log_path = osp.join(fold_dir, WORKER_LOG)
        with open(log_path, 'a') as f:
            f.write(log_header(f'fold worker {os.getpid()} '
                               f'({sys.executable} -m {__spec__.name} '
                               '--serve)'))
        with _fds_to(log_path):
            ok = _run_task_file(fold_dir)
            gc.collect()
        os.write(result_fd,
                 (json.dumps(dict(fold_dir=fold_dir, ok=ok)) +
                  '\n').encode())
        if not ok:
            return 1
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of a fold's subprocess: on failure, the traceback goes to
    its log and the one-line reason to ``fold_error.json``."""
    parser = argparse.ArgumentParser(
        description='Run one LOSO fold, or serve folds (started by '
        'tools/loso.py)')
    parser.add_argument(
        'fold_dir',
        nargs='?',
        help='the fold folder (with '
        f'{FOLD_CONFIG} and {TASK_FILE})')
    parser.add_argument(
        '--serve',
        action='store_true',
        help='run the fold folders given on stdin, one a line')
    args = parser.parse_args(argv)
    from .allocator import tune_allocator
    tune_allocator()
    if args.serve:
        result_fd = os.dup(1)
        return serve(sys.stdin, result_fd)
    if not args.fold_dir:
        parser.error('give a fold folder or --serve')
    import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
    task = FoldTask(**read_json(osp.join(args.fold_dir, TASK_FILE)))
    try:
        run_fold(task)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        traceback.print_exc()
        record_failure(task, exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
