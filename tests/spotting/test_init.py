"""The spotting package is light: span finding and layouts need neither
torch, MMAction2 nor OpenCV."""
import json
import subprocess
import sys

HEAVY = ('torch', 'mmaction', 'mmengine', 'cv2', 'mediapipe')


def test_spans_and_layouts_import_nothing_heavy():
    code = ('import sys, json\n'
            'import mmaction_tsfmicro.spotting\n'
            'import mmaction_tsfmicro.spotting.layouts\n'
            'import mmaction_tsfmicro.spotting.sheets\n'
            'import mmaction_tsfmicro.spotting.truth\n'
            f'print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {m: False for m in HEAVY}
