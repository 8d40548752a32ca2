"""Writing a coding sheet in the format of CASME II's official one.

The official ``CASME2-coding-20190701.xlsx`` has, on its first sheet
``Sheet1`` (of three), one header row and one row per clip in ten columns::

    A Subject            text, two digits ('01'), cell format '@'
    B Filename           text, e.g. 'EP02_01f'
    C (no header)        empty
    D OnsetFrame         integer frame number
    E ApexFrame          integer frame number
    F OffsetFrame        integer frame number
    G (no header)        empty
    H Action Units       integer for one AU (12), text for several ('6+12')
    I Estimated Emotion  text: happiness, disgust, repression, surprise,
                         others, ...
    J Objective Classes  integer 1..7

pandas reads it as ``Subject`` (int64), ``Filename``, ``Unnamed: 2``,
``OnsetFrame``, ``ApexFrame``, ``OffsetFrame``, ``Unnamed: 6``, ``Action
Units``, ``Estimated Emotion``, ``Objective Classes``. :func:`write_sheet`
writes the same cells, and writes them byte-for-byte reproducibly (fixed
document dates and zip time stamps).
"""
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Iterable, List, Optional, Union

from mmaction_tsfmicro.utils.fileio import write_bytes

#: Header cells of the official sheet (None: the cell is empty).
HEADER = ('Subject', 'Filename', None, 'OnsetFrame', 'ApexFrame',
          'OffsetFrame', None, 'Action Units', 'Estimated Emotion',
          'Objective Classes')

#: Column names as pandas reads the official sheet.
PANDAS_COLUMNS = ('Subject', 'Filename', 'Unnamed: 2', 'OnsetFrame',
                  'ApexFrame', 'OffsetFrame', 'Unnamed: 6', 'Action Units',
                  'Estimated Emotion', 'Objective Classes')

#: Cell number formats of the official header row.
_HEADER_FORMATS = ('@', '#,##0', '#,##0', '#,##0', 'General', '#,##0',
                   '#,##0', 'General', '#,##0', 'General')

#: Column widths of the official sheet.
_WIDTHS = dict(A=8.88, B=13.38, C=5.62, D=16.0, F=13.88, G=5.0, H=11.63,
               I=20.13, J=18.5)

_FIXED_DATE = datetime.datetime(2000, 1, 1)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class SheetRow:
    """One clip of a CASME II coding sheet.

    Args:
        subject (int): Subject number (1 for ``sub01``).
        filename (str): Clip folder name.
        onset (int): Onset frame number.
        apex (int): Apex frame number.
        offset (int): Offset frame number.
        action_units (str): AU combination, e.g. ``'6+12'`` or ``'4'``.
        emotion (str): Estimated emotion.
        objective_class (int): Objective class.
    """

    subject: int
    filename: str
    onset: int
    apex: int
    offset: int
    action_units: str
    emotion: str
    objective_class: int


def _au_cell(action_units: str) -> Union[int, str]:
    """One numeric AU is stored as a number, as in the official sheet."""
    text = str(action_units).strip()
    return int(text) if re.fullmatch(r'\d+', text) else text


def write_sheet(rows: Iterable[SheetRow], path: str) -> None:
    """Write rows as a CASME II coding sheet, atomically and reproducibly.

    Args:
        rows (Iterable[SheetRow]): Clips, written in the given order.
        path (str): Output ``.xlsx`` file.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = 'Sheet1'
    wb.create_sheet('Sheet2')
    wb.create_sheet('Sheet3')
    for col, (value, fmt) in enumerate(zip(HEADER, _HEADER_FORMATS), 1):
        cell = ws.cell(row=1, column=col, value=value)
        cell.number_format = fmt
    for r, row in enumerate(rows, 2):
        values = (f'{int(row.subject):02d}', row.filename, None,
                  int(row.onset), int(row.apex), int(row.offset), None,
                  _au_cell(row.action_units), row.emotion,
                  int(row.objective_class))
        for col, value in enumerate(values, 1):
            ws.cell(row=r, column=col, value=value)
        ws.cell(row=r, column=1).number_format = '@'
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    wb.properties.creator = 'mmaction-tsfmicro demo'
    wb.properties.created = _FIXED_DATE
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes(path, _reproducible_zip(buf.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """Re-pack an .xlsx with fixed time stamps and a fixed modified date."""
    stamp = _FIXED_DATE.strftime('%Y-%m-%dT%H:%M:%SZ')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(
            out, 'w', zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == 'docProps/core.xml':
                content = re.sub(
                    rb'(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)',
                    rb'\g<1>' + stamp.encode() + rb'\g<2>', content)
            new = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            zout.writestr(new, content)
    return out.getvalue()


def read_sheet(path: str) -> List[SheetRow]:
    """Read a coding sheet written by :func:`write_sheet` (or the official).

    Rows without a numeric apex (the official sheet has one ``'/'``) are
    skipped.

    Args:
        path (str): The ``.xlsx`` file.

    Returns:
        list[SheetRow]: The rows.
    """
    import pandas as pd

    df = pd.read_excel(path, sheet_name=0, dtype=object)
    missing = [c for c in PANDAS_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f'{path}: not a CASME II coding sheet, missing '
                         f'columns {missing}')
    rows = []
    for _, rec in df.iterrows():
        apex: Optional[int]
        try:
            apex = int(rec['ApexFrame'])
        except (TypeError, ValueError):
            continue
        rows.append(
            SheetRow(int(rec['Subject']), str(rec['Filename']),
                     int(rec['OnsetFrame']), apex, int(rec['OffsetFrame']),
                     str(rec['Action Units']), str(rec['Estimated Emotion']),
                     int(rec['Objective Classes'])))
    return rows
