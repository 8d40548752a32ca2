"""Where the process's output goes: a fold's log, or nowhere.

:func:`redirect_fds` points file descriptors 1 and 2 at a file while a
block runs, so that what C code prints (and MMEngine's log, warnings and
tracebacks) goes there too: the log of a LOSO fold.

MediaPipe's C++ core logs its start-up (``Sets FaceBlendshapesGraph
acceleration``, ``Created TensorFlow Lite XNNPACK delegate``, ``Feedback
manager requires ...``) straight to file descriptor 2, past Python's
``sys.stderr`` and ignoring ``GLOG_minloglevel``; FFmpeg, under OpenCV,
prints its complaints about a damaged video there too (``moov atom not
found``). :func:`quiet_stderr` points descriptor 2 at a temporary file
while a block runs; if the block fails, what was written there is attached
to the error as a note (shown with its traceback, ``TSFMICRO_DEBUG=1``),
so that the tool's one error line is the only line.
"""
import contextlib
import os
import sys
import tempfile
from typing import Iterator, Optional


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hide what is written to file descriptor 2 while the block runs; if
    the block raises, attach it to the error as a note."""
    fd = 2  # where C libraries write, whatever sys.stderr is
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield
        except BaseException as exc:
            sys.stderr.flush()
            sink.seek(0)
            text = sink.read().decode(errors='replace').strip()
            if text and hasattr(exc, 'add_note'):
                exc.add_note('what the libraries printed:\n' + text)
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)


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
