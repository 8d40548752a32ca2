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

#: The test files that take longest (seconds of one worker, measured with
#: ``make test PYTEST_ARGS=--durations=0``), longest first. ``make test``
#: gives each xdist worker whole files (``--dist loadfile``) in collection
#: order (``--no-loadscope-reorder``); starting with these, the two workers
#: finish within a few seconds of each other instead of one running the
#: longest file alone at the end.
LONGEST_FILES = (
    'tests/tools/test_loso.py',  # 304 s
    'tests/configs/test_train_baselines.py',  # 222 s
    'tests/docs/test_dataset_pages.py',  # 131 s
    'tests/tools/test_demo.py',  # 77 s
    'tests/benchmarks/test_loso_methods.py',  # 68 s
    'tests/tools/test_train_test_tools.py',  # 62 s
    'tests/tools/test_infer.py',  # 49 s
    'tests/test_packaging.py',  # 49 s
    'tests/benchmarks/test_official.py',  # 41 s
    'tests/configs/test_train_every_config.py',  # 41 s
    'tests/utils/test_compat.py',  # 40 s
)


def pytest_collection_modifyitems(session, config, items):
    """The longest files first (:data:`LONGEST_FILES`), the others after
    them in their own order."""
    rank = {path: i for i, path in enumerate(LONGEST_FILES)}

    def key(item):
        path = item.nodeid.split('::', 1)[0]
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable: each file keeps its tests' order
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


@pytest.fixture(autouse=True)
def mmaction_scope():
    """Every test starts in MMAction2's registry scope, as the tools run: a
    test that builds a runner of another scope (MMEngine's own, by default)
    does not leave the next tests of its worker without the plugin's
    registries."""
    from mmengine.registry import DefaultScope
    yield
    current = DefaultScope.get_current_instance()
    if current is None or current.scope_name != 'mmaction':
        init_default_scope('mmaction')


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
