"""tools/data/build_annotations.py as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmaction_tsfmicro.annotations import load_annotation_file, mapping_table
from .conftest import (CASME2_HEADER, CASME2_SHEET, COMPOSITE_LIST, SAMM_SHEET,
                       casme2_row, write_xlsx)

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'build_annotations.py'


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def test_casme2(tmp_path, real_sheets):
    out = tmp_path / 'casme2_5cls.json'
    proc = run('casme2', CASME2_SHEET, '--classes', '5', '-o', out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''
    lines = proc.stdout.splitlines()
    assert lines[0] == ('CASME II -> casme2_5: happiness, disgust, '
                        'repression, surprise, others')
    assert ('  samples: 249 of 26 subjects; per class: happiness 32, '
            'disgust 63, repression 27, surprise 28, others 99') in lines
    assert ("      casme2/sub04/EP12_01f (CASME2-coding-20190701.xlsx row "
            "31): apex '/' -> 291 (middle of 261..321)") in lines
    assert '      by emotion: sadness 4, fear 2' in lines
    assert lines[-1] == f'wrote 249 samples to {out}'
    data = load_annotation_file(str(out))
    assert len(data['data_list']) == 249
    assert data['metainfo']['irregular']['missing_apex']['count'] == 1


def test_megc2019_says_smic_is_left_out(tmp_path, real_sheets):
    out = tmp_path / 'megc.json'
    proc = run('megc2019', SAMM_SHEET, COMPOSITE_LIST, CASME2_SHEET,
               '-o', out)
    assert proc.returncode == 0, proc.stderr
    assert '    casme2: 145 samples of 24 subjects' in proc.stdout
    assert '    samm: 133 samples of 28 subjects' in proc.stdout
    assert ('  NOTE: SMIC left out: no SMIC annotation sheet was given, so '
            'the 164 smic rows of 16 subjects') in proc.stdout
    meta = json.loads(out.read_text())['metainfo']
    assert meta['irregular']['smic_left_out']['count'] == 164


def test_the_tool_does_not_import_torch(tmp_path, real_sheets):
    code = (
        'import runpy, sys\n'
        f'sys.argv = ["build_annotations.py", "samm", r"{SAMM_SHEET}", '
        f'"-o", r"{tmp_path / "samm.json"}"]\n'
        f'runpy.run_path(r"{TOOL}", run_name="__main__")\n'
        'heavy = [m for m in ("torch", "mmaction", "mmengine", "cv2", '
        '"pandas") if m in sys.modules]\n'
        'print("heavy:", heavy)\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert 'samples: 136 of 27 subjects' in proc.stdout
    assert proc.stdout.splitlines()[-1] == 'heavy: []'


@pytest.mark.parametrize('case', ['classes', 'outdir', 'missing', 'onset'])
def test_bad_input_one_line_exit_2(tmp_path, real_sheets, case):
    out = tmp_path / 'out.json'
    if case == 'classes':
        args = ('casme2', CASME2_SHEET, '--classes', '7', '-o', out)
        message = '--classes 7: CASME II has no 7-class set; choose 5'
    elif case == 'outdir':
        (tmp_path / 'afile').write_text('x')
        out = tmp_path / 'afile' / 'out.json'
        args = ('casme2', CASME2_SHEET, '-o', out)
        message = (f'{out}: {tmp_path / "afile"} is a file, so the output '
                   f'folder {tmp_path / "afile"} cannot be made')
    elif case == 'missing':
        args = ('samm', tmp_path / 'SAMM.xlsx', '-o', out)
        message = f'{tmp_path / "SAMM.xlsx"}: file not found'
    else:
        sheet = write_xlsx(tmp_path / 'c2.xlsx', [
            CASME2_HEADER, casme2_row(1, 'EP02_01f', 46, 59, 86, 'others'),
            casme2_row(1, 'EP03_02', 'n/a', 59, 86, 'others')])
        args = ('casme2', sheet, '-o', out)
        message = f"{sheet}: row 3: OnsetFrame 'n/a' is not a frame number"
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stderr == f'build_annotations.py: error: {message}\n'
    assert 'Traceback' not in proc.stderr
    assert not out.exists()


def test_a_missing_output_folder_is_made(tmp_path, real_sheets):
    out = tmp_path / 'data' / 'casme2' / 'annotations' / 'casme2_5cls.json'
    proc = run('casme2', CASME2_SHEET, '-o', out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith(f'wrote 249 samples to {out}\n')
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_print_mapping():
    proc = run('--print-mapping')
    assert proc.returncode == 0
    assert proc.stdout == mapping_table()
    proc = run('--print-mapping', 'casme3')
    assert proc.stdout == mapping_table(['casme3_7', 'casme3_4'])
    proc = run('--print-mapping', 'casme3', '--classes', '4')
    assert proc.stdout == mapping_table(['casme3_4'])


def test_usage_errors():
    proc = run('casme2')
    assert proc.returncode == 2
    assert 'error: give the casme2 label sheet(s)' in proc.stderr
    proc = run('casme2', 'x.xlsx')
    assert proc.returncode == 2
    assert 'error: -o/--out OUT.json is required' in proc.stderr
