"""The runner's process group ends where it began (``process_group_scope``)."""
import signal
import subprocess
import sys

import pytest
import torch.distributed as dist

from mmaction_tsfmicro.engine import process_group_scope


def _init_group(tmp_path):
    dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)


def test_a_group_started_in_the_block_ends_with_it(tmp_path):
    assert not dist.is_initialized()
    with process_group_scope():
        _init_group(tmp_path)
        assert dist.is_initialized()
    assert not dist.is_initialized()


def test_it_ends_the_group_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError, match='boom'):
        with process_group_scope():
            _init_group(tmp_path)
            raise RuntimeError('boom')
    assert not dist.is_initialized()


def test_a_group_started_outside_is_left_to_its_owner(tmp_path):
    _init_group(tmp_path)
    try:
        with process_group_scope():
            pass
        assert dist.is_initialized()
    finally:
        dist.destroy_process_group()


def test_a_native_abort_in_the_block_prints_where_it_happened():
    """A rank that aborts (SIGABRT, as gloo's threads do) prints its
    Python stack instead of dying silently."""
    code = ('import os\n'
            'from mmaction_tsfmicro.engine import process_group_scope\n'
            'def finish_rank():\n'
            '    os.abort()\n'
            'with process_group_scope():\n'
            '    finish_rank()\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == -signal.SIGABRT
    assert 'Fatal Python error: Aborted' in proc.stderr
    assert 'in finish_rank' in proc.stderr, proc.stderr[-2000:]
