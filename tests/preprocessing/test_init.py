"""Every preprocessing module imports without torch, MMAction2 or a face
detector backend."""
import os.path as osp
import pkgutil
import subprocess
import sys

import mmaction_tsfmicro.preprocessing as preprocessing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HEAVY = ('torch', 'mmaction', 'mmengine', 'mediapipe', 'dlib')


def test_modules_are_light():
    names = sorted(
        m.name for m in pkgutil.walk_packages(preprocessing.__path__,
                                              'mmaction_tsfmicro.'
                                              'preprocessing.'))
    assert 'mmaction_tsfmicro.preprocessing.landmarks.base' in names
    assert len(names) > 10
    code = (f'import sys, importlib\nfor name in {names!r}:\n'
            '    importlib.import_module(name)\n'
            f'print(sorted(m for m in {HEAVY!r} if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == '[]'
