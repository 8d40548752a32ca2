"""Reading label sheets (.xlsx, .csv) with the row numbers a user sees.

Excel workbooks are read with openpyxl (cell values, formulas as their
saved results), CSV files with the standard ``csv`` module (every cell as
text). Rows keep the
number a spreadsheet shows (the first row is 1), so every message can name
the row. The header row is found among the first rows of each worksheet,
because some sheets (SAMM) put a legend above it.
"""
import csv
import os
import os.path as osp
import zipfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence
from typing import Tuple

from .errors import AnnotationError

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30

EXCEL_SUFFIXES = ('.xlsx', '.xlsm')
CSV_SUFFIXES = ('.csv', '.txt')

RawRow = Tuple[int, Tuple[Any, ...]]


def header_key(value: Any) -> str:
    """A header cell in lower case with single spaces."""
    return ' '.join(str(value).split()).casefold() if value is not None \
        else ''


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, NaN or only spaces)."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def check_input_file(path: str) -> None:
    """Fail with one line if ``path`` is not a readable file."""
    if not osp.exists(path):
        raise AnnotationError(f'{path}: file not found')
    if not osp.isfile(path):
        raise AnnotationError(f'{path}: not a file')
    if not os.access(path, os.R_OK):
        raise AnnotationError(f'{path}: not readable (permission denied)')


def iter_worksheets(path: str) -> Iterator[Tuple[Optional[str],
                                                 List[RawRow]]]:
    """Yield ``(worksheet name, rows)`` of a workbook, or one table of a CSV.

    Args:
        path (str): An .xlsx/.xlsm workbook or a .csv file.

    Yields:
        tuple: The worksheet name (``None`` for CSV) and its rows as
        ``(row number, cell values)``.

    Raises:
        AnnotationError: If the file is missing or cannot be read.
    """
    check_input_file(path)
    suffix = osp.splitext(path)[1].lower()
    if suffix in EXCEL_SUFFIXES:
        yield from _excel_worksheets(path)
    elif suffix in CSV_SUFFIXES:
        yield None, _csv_rows(path)
    elif suffix == '.xls':
        raise AnnotationError(
            f'{path}: legacy .xls workbooks are not read; save the sheet '
            'as .xlsx')
    else:
        raise AnnotationError(
            f'{path}: unreadable sheet, unknown format {suffix or "(none)"}'
            '; expected .xlsx or .csv')


def _csv_rows(path: str) -> List[RawRow]:
    try:
        with open(path, newline='', encoding='utf-8-sig') as f:
            return [(i, tuple(r)) for i, r in enumerate(csv.reader(f),
                                                        start=1)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise AnnotationError(
            f'{path}: unreadable sheet, not a CSV table '
            f'({type(e).__name__}: {" ".join(str(e).split())})') from None


def _excel_worksheets(path: str) -> Iterator[Tuple[str, List[RawRow]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError,
                  OSError, ValueError, TypeError)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True,
                                          data_only=True)
    except unreadable as e:
        raise AnnotationError(
            f'{path}: unreadable sheet, not an Excel workbook '
            f'({type(e).__name__}: {" ".join(str(e).split())})') from None
    try:
        for ws in workbook.worksheets:
            try:
                rows = [(i, tuple(r)) for i, r in enumerate(
                    ws.iter_rows(values_only=True), start=1)]
            except unreadable as e:
                raise AnnotationError(
                    f'{path}: worksheet {ws.title!r} is unreadable '
                    f'({type(e).__name__}: {" ".join(str(e).split())})'
                ) from None
            yield ws.title, rows
    finally:
        workbook.close()


@dataclass
class Table:
    """A sheet's data rows under its header.

    Args:
        path (str): The file.
        worksheet (str, optional): The worksheet read (``None`` for CSV).
        header_row (int): The header's row number.
        columns (dict[str, str]): Field -> the sheet's column title.
        rows (list[tuple[int, dict]]): ``(row number, {field: value})`` of
            every row below the header, blank rows included.
    """

    path: str
    worksheet: Optional[str]
    header_row: int
    columns: Dict[str, str]
    rows: List[Tuple[int, Dict[str, Any]]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name, as messages name the file."""
        return osp.basename(self.path)


def find_columns(header: Sequence[Any],
                 fields: Mapping[str, Sequence[str]]) -> Dict[str, int]:
    """Map each field whose title appears in ``header`` to its column.

    Args:
        header (sequence): The header row's cells.
        fields (dict[str, sequence[str]]): Field -> accepted titles (case
            and spacing do not matter).

    Returns:
        dict[str, int]: Field -> column index, for the fields found.
    """
    keys = [header_key(v) for v in header]
    found = {}
    for name, titles in fields.items():
        for title in titles:
            if header_key(title) in keys:
                found[name] = keys.index(header_key(title))
                break
    return found


def read_table(path: str, fields: Mapping[str, Sequence[str]],
               required: Sequence[str], what: str) -> Table:
    """Read a sheet whose header holds the given column titles.

    The first worksheet whose header (searched in the first
    :data:`HEADER_SEARCH_ROWS` rows) holds the titles of the ``subject`` and
    ``clip`` fields is read.

    Args:
        path (str): The .xlsx or .csv file.
        fields (dict[str, sequence[str]]): Field -> accepted column titles.
        required (sequence[str]): Fields that must have a column.
        what (str): What the sheet is (for messages), e.g. ``'CASME II'``.

    Returns:
        Table: The rows, with their row numbers.

    Raises:
        AnnotationError: If the file cannot be read, no header is found or
            a required column is missing.
    """
    anchors = [f for f in ('subject', 'clip') if f in fields]
    best = None
    for worksheet, raw_rows in iter_worksheets(path):
        for number, cells in raw_rows[:HEADER_SEARCH_ROWS]:
            found = find_columns(cells, fields)
            if all(a in found for a in anchors):
                best = (worksheet, number, cells, found, raw_rows)
                break
        if best:
            break
    if best is None:
        titles = ' and '.join(repr(fields[a][0]) for a in anchors)
        raise AnnotationError(
            f'{path}: no header row with the columns {titles} in the first '
            f'{HEADER_SEARCH_ROWS} rows of any worksheet; is this the '
            f'{what} label sheet?')
    worksheet, header_row, header, found, raw_rows = best
    missing = [f for f in required if f not in found]
    if missing:
        have = ', '.join(repr(str(h)) for h in header if not is_blank(h))
        sheet = f' worksheet {worksheet!r}' if worksheet else ''
        raise AnnotationError(
            f'{path}:{sheet} row {header_row}: missing column '
            f'{fields[missing[0]][0]!r} (the {what} sheet needs '
            f'{", ".join(repr(fields[f][0]) for f in required)}; found '
            f'{have})')
    table = Table(path, worksheet, header_row,
                  {f: str(header[i]).strip() for f, i in found.items()})
    for number, cells in raw_rows:
        if number <= header_row:
            continue
        table.rows.append((number, {
            f: cells[i] if i < len(cells) else None
            for f, i in found.items()
        }))
    return table
