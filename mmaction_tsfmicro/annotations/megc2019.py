"""The MEGC 2019 composite: ``combined_3class_gt.csv`` joined to the sheets.

The composite list (no header) has one line per sample: database
(``casme2``, ``samm``, ``smic``), subject, clip, label (0 negative,
1 positive, 2 surprise). Its subjects are written ``sub01`` (CASME II),
``6`` (SAMM, the folder ``006``) and ``s01`` (SMIC); its clips are the clip
folder names (CASME II ``EP02_01f``, SAMM ``006_1_2``, SMIC ``s01_ne_01``).
A row joins its dataset's sheet on (subject folder, clip folder); the
frames come from the sheet, the label from the list. SMIC rows need a SMIC
sheet from the user (:mod:`.smic`); without it they are left out and
reported.
"""
import os
import os.path as osp
from collections import Counter, OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Sequence, Tuple, Union

from .casme2 import CASME2_SHEET, casme2_subject
from .casme3 import CASME3_SHEET
from .errors import AnnotationError
from .report import ConversionReport
from .samm import SAMM_SHEET, samm_subject
from .sheet_conversion import (SheetRow, build_samples, number_text,
                               read_sheet_rows)
from .smic import SMIC_SHEET, smic_clip_key, smic_subject
from .spec import ClassSet, DatasetSpec, canonical_word
from .tables import (HEADER_SEARCH_ROWS, check_input_file, find_columns,
                     is_blank, iter_worksheets)

TITLE = 'MEGC 2019 composite'

#: Databases of the composite list, in its order.
COMPOSITE_DATABASES = ('casme2', 'samm', 'smic')
SHEETS = {'casme2': CASME2_SHEET, 'samm': SAMM_SHEET, 'smic': SMIC_SHEET}
SUBJECT_IDS = {'casme2': casme2_subject, 'samm': samm_subject,
               'smic': smic_subject}
#: The challenge's three classes: negative = repression, anger, contempt,
#: disgust, fear, sadness; positive = happiness; surprise = surprise. The
#: labels 0, 1, 2 are those of combined_3class_gt.csv.
CLASS_SETS = (ClassSet(
    'megc2019_3', ('negative', 'positive', 'surprise'),
    {
        'casme2': {'repression': 'negative', 'disgust': 'negative',
                   'fear': 'negative', 'sadness': 'negative',
                   'happiness': 'positive', 'surprise': 'surprise',
                   'others': None},
        'samm': {'anger': 'negative', 'contempt': 'negative',
                 'disgust': 'negative', 'fear': 'negative',
                 'sadness': 'negative', 'happiness': 'positive',
                 'surprise': 'surprise', 'other': None},
        'smic': {w: w for w in SMIC_SHEET.words},
    },
    'MEGC 2019 composite: labels 0, 1, 2 of combined_3class_gt.csv'), )
#: What a file given to the composite can be.
ROLES = ('composite', 'casme2', 'samm', 'smic')


@dataclass
class CompositeRow:
    """One line of the composite list.

    Args:
        file (str): The list's file name.
        row (int): The line number.
        dataset (str): ``casme2``, ``samm`` or ``smic``.
        subject (str): Subject folder name (``sub01``, ``006``, ``s01``).
        clip (str): Clip folder name.
        label (int): 0 negative, 1 positive, 2 surprise.
    """

    file: str
    row: int
    dataset: str
    subject: str
    clip: str
    label: int

    def where(self) -> Dict[str, Any]:
        """The row's place, for the report."""
        return dict(file=self.file, row=self.row, dataset=self.dataset,
                    subject=self.subject, clip=self.clip)

    @property
    def key(self) -> Tuple[str, str]:
        """The join key: (subject folder, clip folder)."""
        return join_key(self.dataset, self.subject, self.clip)


def join_key(dataset: str, subject: str, clip: str) -> Tuple[str, str]:
    """The key that joins a list row and a sheet row of a dataset."""
    return subject, smic_clip_key(clip) if dataset == 'smic' else clip


def _is_composite(rows) -> bool:
    for _, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        return (len(cells) >= 4
                and canonical_word(cells[0]) in COMPOSITE_DATABASES
                and number_text(cells[3]).strip().isdigit())
    return False


def identify_sheet(path: str) -> str:
    """Tell what a file given to the composite is, from its content.

    Args:
        path (str): A file.

    Returns:
        str: ``'composite'``, ``'casme2'``, ``'samm'`` or ``'smic'``.

    Raises:
        AnnotationError: If the file is unreadable or none of these.
    """
    worksheets = list(iter_worksheets(path))
    if worksheets and _is_composite(worksheets[0][1]):
        return 'composite'
    specs = (CASME2_SHEET, SAMM_SHEET, CASME3_SHEET, SMIC_SHEET)
    for spec in specs:
        for _, rows in worksheets:
            for _, cells in rows[:HEADER_SEARCH_ROWS]:
                found = find_columns(cells, spec.columns)
                if all(f in found for f in spec.required):
                    if spec is CASME3_SHEET:
                        raise AnnotationError(
                            f'{path}: a CAS(ME)^3 sheet is not part of the '
                            'MEGC 2019 composite (CASME II, SAMM, SMIC)')
                    return spec.dataset
    raise AnnotationError(
        f'{path}: not a file of the MEGC 2019 composite: expected the list '
        'combined_3class_gt.csv, the CASME II sheet, the SAMM sheet or a '
        'SMIC sheet (see docs/annotations.md)')


def assign_roles(sheets: Union[str, Sequence[str], Mapping[str, str]]
                 ) -> Dict[str, str]:
    """Map each given file to its role.

    A file may be given as ``ROLE=PATH`` (e.g. ``smic=SMIC.xlsx``) to skip
    :func:`identify_sheet`.

    Args:
        sheets (str | sequence[str] | dict[str, str]): The files, or a dict
            role -> file.

    Returns:
        dict[str, str]: Role -> file.

    Raises:
        AnnotationError: For an unknown role, a role given twice or a
            missing composite list.
    """
    if isinstance(sheets, Mapping):
        pairs = list(sheets.items())
    else:
        if isinstance(sheets, (str, os.PathLike)):
            sheets = [sheets]
        pairs = []
        for item in map(str, sheets):
            role, sep, rest = item.partition('=')
            if sep and role in ROLES and not osp.exists(item):
                pairs.append((role, rest))
            else:
                pairs.append((identify_sheet(item), item))
    roles: Dict[str, str] = {}
    for role, path in pairs:
        if role not in ROLES:
            raise AnnotationError(f'unknown role {role!r} for {path}; '
                                  f'choose one of {", ".join(ROLES)}')
        if role in roles:
            raise AnnotationError(
                f'two {role} files given: {roles[role]} and {path}')
        check_input_file(str(path))
        roles[role] = str(path)
    if 'composite' not in roles:
        raise AnnotationError(
            'megc2019 needs the composite list combined_3class_gt.csv '
            '(lines: database,subject,clip,label)')
    return roles


def read_composite(path: str,
                   report: ConversionReport) -> List[CompositeRow]:
    """Read and check the composite list; drop its duplicate lines.

    Args:
        path (str): ``combined_3class_gt.csv``.
        report (ConversionReport): Receives the source and the rules.

    Returns:
        list[CompositeRow]: The distinct rows, in list order.

    Raises:
        AnnotationError: For a line that is not ``database,subject,clip,
            label`` with a known database, a subject of it and a label
            0, 1 or 2.
    """
    worksheet, raw_rows = next(iter(iter_worksheets(path)))
    name = osp.basename(path)
    filled = [n for n, cells in raw_rows
              if not all(is_blank(c) for c in cells)]
    last = filled[-1] if filled else 0
    rows: List[CompositeRow] = []
    for number, cells in raw_rows:
        if number > last:
            break
        if all(is_blank(c) for c in cells):
            report.add('blank_row', dict(file=name, row=number), 'no values')
            continue
        cells = list(cells) + [None] * 4
        if any(is_blank(c) for c in cells[:4]) or any(
                not is_blank(c) for c in cells[4:]):
            given = sum(not is_blank(c) for c in cells)
            raise AnnotationError(
                f'{path}: row {number}: expected 4 fields (database, '
                f'subject, clip, label), got {given}')
        db = canonical_word(cells[0])
        if db not in COMPOSITE_DATABASES:
            raise AnnotationError(
                f'{path}: row {number}: database {str(cells[0])!r} is not '
                f'{", ".join(COMPOSITE_DATABASES)}')
        try:
            subject = SUBJECT_IDS[db](cells[1])
        except ValueError as e:
            raise AnnotationError(
                f'{path}: row {number}: subject {str(cells[1])!r} is not a '
                f'{SHEETS[db].title} subject ({e})') from None
        label = number_text(cells[3]).strip()
        if label not in ('0', '1', '2'):
            raise AnnotationError(
                f'{path}: row {number}: label {label!r} is not 0, 1 or 2 '
                '(negative, positive, surprise)')
        rows.append(CompositeRow(name, number, db, subject,
                                 number_text(cells[2]).strip(), int(label)))
    report.add_source(path, 'composite', len(filled), worksheet)

    groups: 'OrderedDict[tuple, List[CompositeRow]]' = OrderedDict()
    for row in rows:
        groups.setdefault((row.dataset, ) + row.key, []).append(row)
    distinct = []
    for group in groups.values():
        if len({r.label for r in group}) == 1:
            distinct.append(group[0])
            for row in group[1:]:
                report.add('duplicate_row', row.where(),
                           f'same as row {group[0].row}')
        else:
            numbers = ', '.join(str(r.row) for r in group)
            for row in group:
                report.add('conflicting_rows', row.where(),
                           f'rows {numbers} give different labels; this one '
                           f'{row.label}')
    distinct.sort(key=lambda r: r.row)
    return distinct


def convert_megc2019(sheets: Union[str, Sequence[str], Mapping[str, str]],
                     class_set: Union[None, int, str] = None
                     ) -> Tuple[List[dict], ConversionReport]:
    """Build the MEGC 2019 composite.

    Args:
        sheets: The composite list and the CASME II and SAMM sheets (and,
            optionally, a SMIC sheet), as paths (roles found from the
            content, or ``ROLE=PATH``) or a dict role -> path.
        class_set (int | str, optional): ``3`` / ``'megc2019_3'``.

    Returns:
        tuple[list[dict], ConversionReport]: Records in list order, and
        the report.
    """
    cs = SPEC.class_set(class_set)
    roles = assign_roles(sheets)
    report = ConversionReport('megc2019', cs, TITLE)
    composite = read_composite(roles['composite'], report)
    listed = Counter(r.dataset for r in composite)

    sheet_rows: Dict[str, List[SheetRow]] = {}
    for db in COMPOSITE_DATABASES:
        if db in roles:
            sheet_rows[db] = read_sheet_rows(SHEETS[db], roles[db], report)
        elif listed[db] and db != 'smic':
            raise AnnotationError(
                f'{roles["composite"]}: lists {listed[db]} {db} rows; give '
                f'the {SHEETS[db].title} sheet too')

    index: Dict[str, Dict[tuple, List[SheetRow]]] = {}
    for db, rows in sheet_rows.items():
        for row in rows:
            key = join_key(db, row.subject, row.clip_dir)
            index.setdefault(db, {}).setdefault(key, []).append(row)

    joined: Dict[str, List[SheetRow]] = {db: [] for db in sheet_rows}
    matched = set()
    left_out = []
    for crow in composite:
        if crow.dataset not in sheet_rows:
            left_out.append(crow)
            report.add('smic_left_out', crow.where(), cs.classes[crow.label])
            continue
        found = index.get(crow.dataset, {}).get(crow.key, [])
        if not found:
            report.add('composite_unmatched', crow.where(),
                       f'no row {crow.subject}/{crow.clip} in the '
                       f'{SHEETS[crow.dataset].title} sheet')
            continue
        for row in found:
            matched.add(id(row))
            joined[crow.dataset].append(
                replace(row, label=crow.label, order=crow.row))
    for db, rows in sheet_rows.items():
        for row in rows:
            if id(row) not in matched:
                report.add('not_in_composite', row.where(),
                           str(row.emotion or ''))
    if left_out:
        subjects = len({r.subject for r in left_out})
        report.notes.append(
            f'SMIC left out: no SMIC annotation sheet was given, so the '
            f'{len(left_out)} smic rows of {subjects} subjects in '
            f'{osp.basename(roles["composite"])} are not written (give a '
            'SMIC sheet, see docs/annotations.md)')

    samples = []
    for db, rows in joined.items():
        samples += build_samples(rows, SHEETS[db], cs, report)
    samples.sort(key=lambda pair: pair[0].order)
    return [s.to_dict() for _, s in samples], report


SPEC = DatasetSpec(
    name='megc2019',
    title=TITLE,
    class_sets=CLASS_SETS,
    convert=convert_megc2019,
    sheet_files='combined_3class_gt.csv, the CASME II and SAMM sheets and '
    'optionally a SMIC sheet',
    several_sheets=True)
