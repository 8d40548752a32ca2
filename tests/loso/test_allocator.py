"""The allocator settings of fold processes: their environment, turned off
by TSFMICRO_ALLOCATOR=default, applied to this process with mallopt."""
import subprocess
import sys

import pytest

from mmaction_tsfmicro.loso import allocator
from mmaction_tsfmicro.loso.allocator import (ALLOCATOR_ENV, MALLOC_ENV,
                                              allocator_env,
                                              allocator_tuning_enabled,
                                              tune_allocator)
from mmaction_tsfmicro.loso.parallel import child_env


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(MALLOC_ENV) + [ALLOCATOR_ENV]:
        monkeypatch.delenv(name, raising=False)


def test_the_settings_keep_freed_memory_in_the_process():
    assert MALLOC_ENV == {
        'MALLOC_MMAP_MAX_': '0',
        'MALLOC_TRIM_THRESHOLD_': '2147483647',
        'MALLOC_TOP_PAD_': str(256 * 2**20),
    }
    assert allocator_tuning_enabled()
    assert allocator_env() == MALLOC_ENV


def test_a_users_own_values_are_kept(monkeypatch):
    monkeypatch.setenv('MALLOC_TOP_PAD_', '4096')
    assert allocator_env() == dict(MALLOC_ENV, MALLOC_TOP_PAD_='4096')


@pytest.mark.parametrize('value', ['default', ' Default '])
def test_default_turns_them_off(monkeypatch, value):
    monkeypatch.setenv(ALLOCATOR_ENV, value)
    assert not allocator_tuning_enabled()
    assert allocator_env() == {}
    assert tune_allocator() is False
    assert not set(MALLOC_ENV) & set(child_env(None, None))


def test_a_fold_process_starts_with_them():
    env = child_env(2, None)
    out = subprocess.run(
        [sys.executable, '-c', 'import os; print(" ".join(os.environ[k] for k'
         f' in {sorted(MALLOC_ENV)!r}))'],
        env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == [MALLOC_ENV[k] for k in sorted(MALLOC_ENV)]


def test_they_apply_to_this_process_on_glibc(monkeypatch):
    assert allocator._libc() is not None  # this machine runs glibc
    assert tune_allocator() is True
    # another C library: nothing is applied, nothing fails
    monkeypatch.setattr(allocator, '_libc', lambda: None)
    assert tune_allocator() is False
