"""Silencing what native libraries write to the process's stderr.

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
from typing import Iterator


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
