"""Fixtures: the real label sheets and writers of small synthetic sheets."""
import csv
from pathlib import Path
from typing import Iterable, Sequence

import pytest

#: The public label sheets, in /work/shared beside the repository.
REAL_SHEETS = (Path(__file__).resolve().parents[2] / '..' / 'shared' /
               'annotations').resolve()
CASME2_SHEET = REAL_SHEETS / 'CASME2-coding-20190701.xlsx'
SAMM_SHEET = REAL_SHEETS / 'SAMM_Micro_FACS_Codes_v2.xlsx'
CASME3_SHEET = REAL_SHEETS / 'casme3_part_A_ME_label_JpgIndex_v2.xlsx'
COMPOSITE_LIST = REAL_SHEETS / 'combined_3class_gt.csv'

CASME2_HEADER = ('Subject', 'Filename', 'Unnamed: 2', 'OnsetFrame',
                 'ApexFrame', 'OffsetFrame', 'Unnamed: 6', 'Action Units',
                 'Estimated Emotion', 'Objective Classes')
SAMM_HEADER = ('Subject', 'Filename', 'Inducement Code', 'Onset Frame',
               'Apex Frame', 'Offset Frame', 'Duration', 'Micro',
               'Action Units', 'Estimated Emotion', 'Objective Classes',
               'Notes')
CASME3_HEADER = ('Subject', 'Filename', 'Onset', 'Apex', 'Offset', 'AU',
                 'Objective class', 'emotion')


@pytest.fixture(scope='session')
def real_sheets() -> Path:
    """The folder of the real sheets; the tests need it (CI has it)."""
    missing = [p.name for p in (CASME2_SHEET, SAMM_SHEET, CASME3_SHEET,
                                COMPOSITE_LIST) if not p.is_file()]
    if missing:
        pytest.fail(f'real label sheets missing in {REAL_SHEETS}: {missing}')
    return REAL_SHEETS


def write_xlsx(path: Path, rows: Iterable[Sequence], title: str = 'Sheet1',
               extra_sheets: Sequence[str] = ()) -> Path:
    """Write rows (the first one at sheet row 1) to an .xlsx workbook."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    for name in extra_sheets:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Iterable[Sequence]) -> Path:
    """Write rows to a CSV file."""
    with open(path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    return path


def casme2_row(subject, clip, onset, apex, offset, emotion, units='4'):
    """A row of the CASME II sheet layout."""
    return (subject, clip, None, onset, apex, offset, None, units, emotion,
            3)


def samm_row(subject, clip, onset, apex, offset, emotion, units='4'):
    """A row of the SAMM sheet layout."""
    return (subject, clip, 1, onset, apex, offset, offset - onset + 1,
            'Micro - 1/2', units, emotion, 7, None)


def casme3_row(subject, clip, onset, apex, offset, emotion, units='4'):
    """A row of the CAS(ME)^3 sheet layout (cells written as text)."""
    return (subject, clip, str(onset), str(apex), str(offset), units, 'VII',
            emotion)


def samm_legend() -> list:
    """The 13 legend rows above the SAMM header."""
    return [('SAMM Dataset - Master FACS Codes', )] + [()] * 4 + [
        ('Symbol Key:', ), ('"/" = or', )] + [()] * 6
