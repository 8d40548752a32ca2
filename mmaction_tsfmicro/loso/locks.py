"""The locks of a LOSO work dir: the run's (``DIR/.loso.lock``) and each
fold's (``fold_<subject>/.fold.lock``).

A lock is a POSIX ``flock`` on its file, released when its block or its
process ends (even by a kill); the file holds ``"<pid> <mode>"`` of the
holder, which the processes refused or kept waiting name in their message.
"""
import contextlib
import os
import os.path as osp
import time
from typing import Callable, Dict, Iterator, Sequence, Tuple

from .protocol import ProtocolError
from .subjects import fold_names

LOCK_FILE = '.loso.lock'
FOLD_LOCK_FILE = '.fold.lock'

#: How long ``tools/loso.py --fold`` waits for another ``--fold`` process
#: that holds the run lock for a moment (planning, the frame cache, the
#: report).
LOCK_WAIT_SECONDS = 1800.


def _holder(f) -> Tuple[str, str]:
    """``(pid, mode)`` written in a lock file by its holder."""
    f.seek(0)
    words = f.read().split()
    return (words[0] if words else '?', words[1] if len(words) > 1 else '')


@contextlib.contextmanager
def _flock(path: str, mode: str, busy: Callable[[str, str], Exception],
           wait_for: Sequence[str] = (),
           timeout: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``, released when the block or
    the process ends (even by a kill); the file holds ``"<pid> <mode>"``.

    Args:
        path (str): The lock file.
        mode (str): What the holder does (written for the others).
        busy (callable): ``busy(pid, mode)`` of the holder: the error
            raised when the lock is taken.
        wait_for (Sequence[str]): Modes of holders that are waited for
            (they hold it briefly), up to ``timeout`` seconds; with any,
            a holder that has not written its mode yet is waited for too.
        timeout (float): Longest wait.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking
        yield
        return
    deadline = time.monotonic() + timeout
    with open(path, 'a+') as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                pid, held_for = _holder(f)
                # an empty file: the holder has just taken the lock and not
                # yet written itself, or is letting it go; wait and see
                brief = held_for in wait_for or (wait_for and not held_for)
                if not brief or time.monotonic() > deadline:
                    raise busy(pid, held_for) from None
                time.sleep(0.2)
        f.seek(0)
        f.truncate()
        f.write(f'{os.getpid()} {mode}')
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            fcntl.flock(f, fcntl.LOCK_UN)


def work_dir_lock(work_dir: str, mode: str = 'run') -> Iterator[None]:
    """Hold the run's lock (``DIR/.loso.lock``), so that two LOSO runs
    cannot write the same folds.

    A whole run (``mode='run'``) holds it from start to report and refuses
    a work dir whose lock is held. ``tools/loso.py --fold`` holds it only
    to plan, build the frame cache and write the report
    (``mode='fold'``), and waits for another ``--fold`` process holding it
    (up to :data:`LOCK_WAIT_SECONDS`).

    Args:
        work_dir (str): The LOSO work dir.
        mode (str): ``'run'`` or ``'fold'``.
    """

    def busy(pid: str, held_for: str) -> Exception:
        what = ('a tools/loso.py --fold process' if held_for == 'fold' else
                'another LOSO run')
        return ProtocolError(
            f'{work_dir} is in use by {what} (pid {pid}); wait for it to '
            'end or stop it first')

    return _flock(
        osp.join(work_dir, LOCK_FILE),
        mode,
        busy,
        wait_for=('fold', ) if mode == 'fold' else ())


def fold_lock(fold_dir: str) -> Iterator[None]:
    """Hold a fold's lock (``fold_<subject>/.fold.lock``) while one
    ``tools/loso.py --fold`` process runs it."""

    def busy(pid: str, held_for: str) -> Exception:
        return ProtocolError(
            f'fold {osp.basename(fold_dir)} is being run by another process '
            f'(pid {pid}); wait for it to end or stop it first')

    os.makedirs(fold_dir, exist_ok=True)
    return _flock(osp.join(fold_dir, FOLD_LOCK_FILE), 'fold', busy)


def running_folds(work_dir: str, subjects: Sequence[str]) -> Dict[str, str]:
    """Subjects whose fold another process runs now (its fold lock is held),
    with that process's pid."""
    try:
        import fcntl
    except ImportError:
        return {}
    names = fold_names(subjects)
    out = {}
    for subject in subjects:
        path = osp.join(work_dir, names[subject], FOLD_LOCK_FILE)
        if not osp.isfile(path):
            continue
        with open(path, 'a+') as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                out[subject] = _holder(f)[0]
            else:
                fcntl.flock(f, fcntl.LOCK_UN)
    return out
