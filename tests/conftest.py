"""Shared fixtures: the plugin is imported and MMAction2's scope is set;
:func:`run_script` runs a tool as its command line does."""
import os
import runpy
import sys

import pytest

# ``make test`` runs the suite in two pytest-xdist workers, one per core of
# the 2-core machines it is meant for: each worker (and what it starts)
# then computes with one thread, so that two workers do not ask four
# threads of two cores.
os.environ.setdefault('OMP_NUM_THREADS',
                      '1' if os.environ.get('PYTEST_XDIST_WORKER') else '2')

import mmaction_tsfmicro.plugin  # noqa: E402,F401
from mmengine.registry import init_default_scope  # noqa: E402

init_default_scope('mmaction')

if os.environ.get('PYTEST_XDIST_WORKER'):
    import torch  # noqa: E402
    torch.set_num_threads(1)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_ANNOTATIONS = os.path.join(
    os.path.dirname(REPO_ROOT), 'shared', 'annotations')


def run_script(script, args, monkeypatch, capsys, cwd=REPO_ROOT):
    """Run a tool as ``python SCRIPT ARGS`` would, in this process (the
    plugin is loaded already).

    Returns:
        tuple: The exit status, stdout and stderr.
    """
    monkeypatch.setattr(sys, 'argv', [os.path.basename(str(script))] +
                        [str(a) for a in args])
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = 0
    try:
        runpy.run_path(str(script), run_name='__main__')
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def synthetic_data(tmp_path_factory):
    """A tiny generated data set (3 subjects x 5 classes, 32x32 frames)."""
    from mmaction_tsfmicro.testing import make_synthetic_dataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    ann_file = make_synthetic_dataset(root)
    return dict(root=root, ann_file=ann_file)
