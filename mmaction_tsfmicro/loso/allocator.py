"""glibc's allocator settings for training processes.

By default glibc hands every large block (a feature map, an attention map)
back to the operating system when it is freed and maps it in again, page
fault by page fault, on the next step. Keeping the freed memory in the
process instead (no ``mmap`` for large blocks, no trimming of the heap, a
256 MB top pad) was measured to halve a paper-size training step on the
CPU (5.8 s to 3.2 s, batch 8, 2 threads; ``docs/benchmarks.md``). It changes
no number, only where memory comes from; the price is that a process keeps
its peak memory until it ends.

The settings act in two ways:

* :func:`allocator_env` gives the ``MALLOC_*`` environment variables for a
  child process (the fold processes of ``tools/loso.py --jobs``; the shell
  launchers export the same ones, ``tools/_python.sh``): they apply from
  the child's first allocation;
* :func:`tune_allocator` applies them to the running process through
  glibc's ``mallopt`` (``tools/loso.py`` in one process, a fold process,
  ``tools/benchmark.py``).

``TSFMICRO_ALLOCATOR=default`` turns both off (glibc's defaults). On a
C library other than glibc both do nothing.
"""
import ctypes
import ctypes.util
import os
from typing import Dict

#: ``default`` keeps glibc's own settings.
ALLOCATOR_ENV = 'TSFMICRO_ALLOCATOR'

#: The environment variables (glibc reads them when a process starts).
MALLOC_ENV = {
    'MALLOC_MMAP_MAX_': '0',
    'MALLOC_TRIM_THRESHOLD_': str(2**31 - 1),
    'MALLOC_TOP_PAD_': str(256 << 20),
}

# mallopt() parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_MAX = -4


def allocator_tuning_enabled() -> bool:
    """Whether the settings are wanted (``TSFMICRO_ALLOCATOR`` is not
    ``default``)."""
    return os.environ.get(ALLOCATOR_ENV, '').strip().lower() != 'default'


def allocator_env() -> Dict[str, str]:
    """The ``MALLOC_*`` variables to give a child process (none when
    turned off; variables already set by the user are kept)."""
    if not allocator_tuning_enabled():
        return {}
    return {k: os.environ.get(k, v) for k, v in MALLOC_ENV.items()}


def _libc():
    name = ctypes.util.find_library('c')
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # only glibc has it
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> bool:
    """Apply the settings to this process (glibc only).

    Returns:
        bool: Whether they were applied.
    """
    if not allocator_tuning_enabled():
        return False
    libc = _libc()
    if libc is None:
        return False
    values = {
        _M_MMAP_MAX: int(MALLOC_ENV['MALLOC_MMAP_MAX_']),
        _M_TRIM_THRESHOLD: int(MALLOC_ENV['MALLOC_TRIM_THRESHOLD_']),
        _M_TOP_PAD: int(MALLOC_ENV['MALLOC_TOP_PAD_']),
    }
    return all(libc.mallopt(param, value) == 1
               for param, value in values.items())
