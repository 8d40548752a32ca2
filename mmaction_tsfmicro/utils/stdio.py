"""Where the process's output goes: a fold's log, or nowhere.

:func:`redirect_fds` points file descriptors 1 and 2 at a file while a
block runs, so that what C code prints (and MMEngine's log, warnings and
tracebacks) goes there too: the log of a LOSO fold.

MediaPipe's C++ core logs its start-up (``Sets FaceBlendshapesGraph
acceleration``, ``Created TensorFlow Lite XNNPACK delegate``, ``Feedback
manager requires ...``) straight to file descriptor 2, past Python's
``sys.stderr`` and ignoring ``GLOG_minloglevel``. :func:`quiet_stderr`
points descriptor 2 at a temporary file while a block runs, and shows what
was written there only if the block fails.
"""
import contextlib
import os
import sys
import tempfile
from typing import Iterator, Optional


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hide what is written to file descriptor 2 while the block runs; if
    the block raises, write it to stderr after all."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real descriptor
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            if failed:
                sink.seek(0)
                sys.stderr.write(sink.read().decode(errors='replace'))


@contextlib.contextmanager
def redirect_fds(path: Optional[str]) -> Iterator[None]:
    """Point file descriptors 1 and 2 at ``path`` (appended; ``os.devnull``
    if None) while the block runs.

    Args:
        path (str, optional): The file.
    """
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
