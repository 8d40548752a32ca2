"""The package root is light; ``mmaction_tsfmicro.plugin`` registers."""
import json
import subprocess
import sys

import pytest

HEAVY = ('torch', 'mmaction', 'mmengine', 'cv2', 'mediapipe')


def imported_after(statement: str) -> dict:
    code = (f'import sys, json\n{statement}\n'
            f'print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize('statement', [
    'import mmaction_tsfmicro',
    'import mmaction_tsfmicro.annotations',
    'from mmaction_tsfmicro.annotations.layouts import frame_path',
    'import mmaction_tsfmicro.utils.fileio, mmaction_tsfmicro.utils.packages',
])
def test_light_modules_import_nothing_heavy(statement):
    assert imported_after(statement) == {m: False for m in HEAVY}


def test_plugin_registers_everything_and_sets_the_scope():
    code = '''
import json
from mmengine.registry import DefaultScope
from mmaction.registry import DATASETS, HOOKS, METRICS, MODELS, TRANSFORMS
from mmaction_tsfmicro.plugin import register_all_modules
from mmaction_tsfmicro.utils.compat import APPLIED
found = [r.get(n) is not None for r, n in (
    (MODELS, 'TSFmicro'), (MODELS, 'TSFmicroHead'), (DATASETS,
    'MicroExpressionDataset'), (TRANSFORMS, 'SelectFramePair'),
    (METRICS, 'MEMetric'), (HOOKS, 'EpochSeedHook'),
    (MODELS, 'I3DHead'))]
before = DefaultScope.get_current_instance()
register_all_modules()
print(json.dumps(dict(found=found, applied=sorted(APPLIED),
    scope_before=before is not None,
    scope=DefaultScope.get_current_instance().scope_name)))
'''
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out['found'] == [True] * 7
    assert 'drn' in out['applied'] and 'weights_only' in out['applied']
    assert out == dict(out, scope_before=False, scope='mmaction')
