import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tsfmicro_synthesis.coding_sheet import (HEADER, PANDAS_COLUMNS, SheetRow,
                                             read_sheet, write_sheet)

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = REPO.parent / 'shared' / 'annotations' / \
    'CASME2-coding-20190701.xlsx'
CONVERTER = REPO / 'tools' / 'data' / 'build_annotations.py'

ROWS = [
    SheetRow(1, 'EP02_01', 46, 59, 86, '6+12', 'happiness', 1),
    SheetRow(1, 'EP04_02', 21, 54, 76, '4', 'others', 3),
    SheetRow(12, 'EP19_03', 131, 139, 161, '15+17', 'repression', 5),
    SheetRow(12, 'EP07_01', 6, 20, 33, '1+2', 'surprise', 2),
    SheetRow(12, 'EP08_01', 7, 19, 30, '9', 'disgust', 4),
]


@pytest.fixture(scope='module')
def official():
    assert OFFICIAL.is_file(), f'the official CASME II sheet is missing: ' \
        f'{OFFICIAL}'
    return OFFICIAL


def test_columns_and_cell_types_match_the_official_sheet(tmp_path,
                                                         official):
    path = tmp_path / 'sheet.xlsx'
    write_sheet(ROWS, str(path))
    ours = openpyxl.load_workbook(path)
    theirs = openpyxl.load_workbook(official)
    assert ours.sheetnames == theirs.sheetnames == [
        'Sheet1', 'Sheet2', 'Sheet3']
    o_ws, t_ws = ours['Sheet1'], theirs['Sheet1']
    assert [c.value for c in o_ws[1]] == [c.value for c in t_ws[1]] == \
        list(HEADER)
    # the same cell types, row by row: one AU (ours row 3: 4; official
    # row 2: 12) and a combination (ours row 2: '6+12'; official row 9:
    # '4+7+L10')
    for o_row, t_row in ((3, 2), (2, 9)):
        assert [c.data_type for c in o_ws[o_row]] == \
            [c.data_type for c in t_ws[t_row]]
    assert o_ws['A2'].value == '01' and o_ws['A2'].number_format == '@'
    assert o_ws['H3'].value == 4 and o_ws['H3'].data_type == 'n'
    # pandas reads both alike
    ours_df, theirs_df = pd.read_excel(path), pd.read_excel(official)
    assert tuple(ours_df.columns) == tuple(theirs_df.columns) == \
        PANDAS_COLUMNS
    for col in ('Subject', 'OnsetFrame', 'OffsetFrame', 'Objective Classes'):
        assert ours_df[col].dtype == theirs_df[col].dtype == 'int64', col
    assert ours_df['Subject'].tolist() == [1, 1, 12, 12, 12]


def test_rows_round_trip(tmp_path):
    path = tmp_path / 'sheet.xlsx'
    write_sheet(ROWS, str(path))
    assert read_sheet(str(path)) == ROWS


def test_writing_is_reproducible_byte_for_byte(tmp_path):
    a, b = tmp_path / 'a.xlsx', tmp_path / 'b.xlsx'
    write_sheet(ROWS, str(a))
    write_sheet(ROWS, str(b))
    assert a.read_bytes() == b.read_bytes()
    assert sorted(tmp_path.iterdir()) == [a, b]  # no temporary file left


def test_official_sheet_reads_too(official):
    rows = read_sheet(str(official))
    assert len(rows) == 254  # 255 rows, one with apex '/'
    assert rows[0] == SheetRow(1, 'EP02_01f', 46, 59, 86, '12', 'happiness',
                               1)


def test_casme2_converter_reads_the_sheet_unchanged(tmp_path):
    """tools/data/build_annotations.py casme2 SHEET --classes 5."""
    sheet, out = tmp_path / 'CASME2-coding-demo.xlsx', tmp_path / 'ann.json'
    write_sheet(ROWS, str(sheet))
    proc = subprocess.run(
        [sys.executable, str(CONVERTER), 'casme2', str(sheet), '--classes',
         '5', '-o', str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data['metainfo']['classes'] == [
        'happiness', 'disgust', 'repression', 'surprise', 'others']
    got = [(r['subject'], r['clip'], r['onset'], r['apex'], r['offset'],
            r['emotion'], r['label'], r['action_units'])
           for r in data['data_list']]
    classes = data['metainfo']['classes']
    want = [(f'sub{r.subject:02d}', r.filename, r.onset, r.apex, r.offset,
             r.emotion, classes.index(r.emotion), r.action_units)
            for r in ROWS]
    assert sorted(got) == sorted(want)
