"""glibc's allocator settings for training processes.

By default glibc hands every large block (a feature map, an attention map)
back to the operating system when it is freed and maps it in again, page
fault by page fault, on the next step. Keeping the freed memory in the
process instead (no ``mmap`` for large blocks, no trimming of the heap, a
256 MB top pad) was measured to halve a paper-size training step on the
CPU (``docs/benchmarks.md``). It changes no number, only where memory
comes from; the price is that a process keeps its peak memory until it
ends.

This module is the one place that sets them: :func:`tune_allocator`
applies them to the running process through glibc's ``mallopt`` (the
processes that run LOSO folds, ``tools/loso.py --allocator tuned``, the
default; ``tools/analysis_tools/benchmark.py``), and :data:`MALLOC_ENV` gives them as the
environment variables glibc reads when a process starts (for the
processes ``tools/analysis_tools/benchmark.py`` starts). On a C library other than glibc
both do nothing.
"""
import ctypes
import ctypes.util

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
