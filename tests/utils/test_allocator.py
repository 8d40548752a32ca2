"""The allocator settings of training processes."""
import subprocess
import sys

from mmaction_tsfmicro.utils import allocator
from mmaction_tsfmicro.utils.allocator import MALLOC_ENV, tune_allocator


def test_the_settings_keep_freed_memory_in_the_process():
    assert MALLOC_ENV == {
        'MALLOC_MMAP_MAX_': '0',
        'MALLOC_TRIM_THRESHOLD_': str(2**31 - 1),
        'MALLOC_TOP_PAD_': str(256 << 20),
    }


def test_they_apply_to_a_process_on_glibc(monkeypatch):
    # in a process of its own: the settings stay with the process
    out = subprocess.run(
        [sys.executable, '-c', 'from mmaction_tsfmicro.utils.allocator '
         'import tune_allocator; print(tune_allocator())'],
        capture_output=True, text=True, check=True).stdout.strip()
    assert out == 'True'  # this machine runs glibc
    monkeypatch.setattr(allocator, '_libc', lambda: None)
    assert tune_allocator() is False
