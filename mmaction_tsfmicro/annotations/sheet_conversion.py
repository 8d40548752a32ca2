"""Turning the rows of one dataset's label sheet into samples.

A :class:`SheetSpec` describes a dataset's sheet (its column titles, how
its subject and clip names become folder names, whether a clip folder holds
one sample or several). Conversion has two stages, shared by all datasets:

1. :func:`read_sheet_rows` reads and checks every row (bad input raises
   :class:`~.common.AnnotationError` naming the file and row) and gives
   :class:`SheetRow` objects with parsed frames and emotion words;
2. :func:`build_samples` applies the rules of irregular rows (duplicates,
   conflicts, class-set exclusion, frame repairs) and gives the samples,
   recording every rule that fired in the report.

The MEGC 2019 composite joins stage-1 rows of several sheets to its list
before stage 2.
"""
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence
from typing import Tuple

from .errors import AnnotationError
from .report import LONG_SPAN_SECONDS, ConversionReport
from .row_rules import parse_frame, repair_frames, show_cell
from .schema import Sample
from .spec import ClassSet, canonical_word
from .tables import is_blank, read_table

FRAME_FIELDS = ('onset', 'apex', 'offset')


def number_text(value: Any) -> str:
    """A cell as text, integral floats without ``.0`` (``1.0`` -> ``1``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class SheetSpec:
    """How a dataset's label sheet is read.

    Args:
        dataset (str): The dataset name written into the records.
        title (str): The dataset's display name, for messages.
        words (tuple[str]): The dataset's emotion words, in lower case, as
            its sheet writes them.
        columns (dict[str, tuple[str]]): Field (``subject``, ``clip``,
            ``onset``, ``apex``, ``offset``, ``emotion``, ``action_units``)
            -> accepted column titles, the sheet's own title first.
        required (tuple[str]): Fields whose column must exist.
        subject_id (callable): Cell -> subject folder name; raises
            ``ValueError`` for a cell that names no subject.
        clip_id (callable): Clip cell text (stripped) -> clip folder name.
        shared_clip_folders (bool): Whether one clip folder holds several
            samples (CAS(ME)^3), so the clip id adds the onset.
        canonical_ids (bool): Whether a subject or clip whose spelling the
            normalization changes is reported (``id_spelling``).
        first_frame (int, optional): The first frame number of a clip
            folder, where the dataset's numbering is known.
        aliases (dict[str, str]): Other spellings accepted for a word
            (reported when met).
        fps (float, optional): Frames per second of the frame numbers,
            for the ``long_span`` rule (None: not checked).
    """

    dataset: str
    title: str
    words: Tuple[str, ...]
    columns: Mapping[str, Tuple[str, ...]]
    required: Tuple[str, ...]
    subject_id: Callable[[Any], str]
    clip_id: Callable[[str], str] = str
    shared_clip_folders: bool = False
    canonical_ids: bool = False
    first_frame: Optional[int] = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    fps: Optional[float] = None

    def emotion_word(self, value: object) -> str:
        """The dataset's own emotion word that a sheet cell spells.

        Args:
            value (object): The cell.

        Returns:
            str: One of :attr:`words`.

        Raises:
            KeyError: If the cell spells no word of the dataset.
        """
        word = canonical_word(value)
        word = self.aliases.get(word, word)
        if word not in self.words:
            raise KeyError(word)
        return word


@dataclass
class SheetRow:
    """One checked row of a label sheet.

    Args:
        dataset (str): The dataset.
        file (str): The sheet's file name.
        row (int): The row number as a spreadsheet shows it.
        subject (str): Subject folder name.
        clip_dir (str): Clip folder name.
        clip (str): The sample's clip id (``clip_dir``, or
            ``<clip_dir>_<onset>`` where folders hold several samples).
        onset, apex, offset (int | None): Parsed frames (``None``:
            missing).
        raw (dict): The frame cells as written.
        emotion (str | None): The dataset's emotion word.
        emotion_cell (Any): The emotion cell as written.
        action_units (str | None): The action units as written.
        notes (list[tuple[str, str]]): Spelling rules that fired on the
            row, reported if the row is written.
        label (int, optional): A label given from outside (the MEGC 2019
            composite list), which wins over the emotion's class.
        order (int): Sort key of the output (the row, or the composite
            list's row).
    """

    dataset: str
    file: str
    row: int
    subject: str
    clip_dir: str
    clip: str
    onset: Optional[int]
    apex: Optional[int]
    offset: Optional[int]
    raw: Dict[str, Any]
    emotion: Optional[str]
    emotion_cell: Any = None
    action_units: Optional[str] = None
    notes: List[Tuple[str, str]] = field(default_factory=list)
    label: Optional[int] = None
    order: int = 0

    def where(self) -> Dict[str, Any]:
        """The row's place, for the report."""
        return dict(file=self.file, row=self.row, dataset=self.dataset,
                    subject=self.subject, clip=self.clip)


def clip_id(spec: SheetSpec, clip_dir: str, onset: Optional[int]) -> str:
    """A sample's clip id: the folder, plus ``_<onset>`` (0 when missing)
    where one folder holds several samples."""
    if spec.shared_clip_folders:
        return f'{clip_dir}_{onset or 0}'
    return clip_dir


def _cell_error(table, number: int, name: str, value: Any,
                problem: str) -> AnnotationError:
    title = table.columns.get(name, name)
    return AnnotationError(f'{table.path}: row {number}: {title} '
                           f'{show_cell(value)} {problem}')


def _read_row(spec: SheetSpec, table, number: int,
              cells: Dict[str, Any]) -> SheetRow:
    """Check and parse one non-blank row (see :func:`read_sheet_rows`)."""
    notes: List[Tuple[str, str]] = []
    value = cells['subject']
    if is_blank(value):
        raise _cell_error(table, number, 'subject', value, 'is empty')
    try:
        subject = spec.subject_id(value)
    except ValueError as e:
        raise _cell_error(table, number, 'subject', value,
                          f'is not a {spec.title} subject ({e})') from None
    text = number_text(value)
    if text != text.strip() or (spec.canonical_ids
                                and subject != text.strip()):
        notes.append(('id_spelling', f'subject {text!r} -> {subject!r}'))

    value = cells['clip']
    if is_blank(value):
        raise _cell_error(table, number, 'clip', value, 'is empty')
    text = number_text(value)
    clip_dir = spec.clip_id(text.strip())
    if clip_dir != text:
        notes.append(('id_spelling', f'clip {text!r} -> {clip_dir!r}'))

    frames = {}
    for name in FRAME_FIELDS:
        try:
            frames[name] = parse_frame(cells.get(name))
        except ValueError:
            raise _cell_error(table, number, name, cells.get(name),
                              'is not a frame number') from None

    emotion = cell = None
    if 'emotion' in table.columns:
        cell = cells['emotion']
        if is_blank(cell):
            raise _cell_error(table, number, 'emotion', cell, 'is empty')
        try:
            emotion = spec.emotion_word(cell)
        except KeyError:
            raise _cell_error(
                table, number, 'emotion', cell,
                f'is an unknown emotion word for {spec.title} (known: '
                f'{", ".join(spec.words)})') from None

    units = None
    if 'action_units' in table.columns:
        units = cells.get('action_units')
        units = '' if is_blank(units) else number_text(units).strip()
    return SheetRow(
        dataset=spec.dataset, file=table.name, row=number, subject=subject,
        clip_dir=clip_dir, clip=clip_id(spec, clip_dir, frames['onset']),
        raw={k: cells.get(k) for k in FRAME_FIELDS}, emotion=emotion,
        emotion_cell=cell, action_units=units, notes=notes, order=number,
        **frames)


def read_sheet_rows(spec: SheetSpec, path: str,
                    report: ConversionReport) -> List[SheetRow]:
    """Read and check every row of a dataset's label sheet (stage 1).

    Args:
        spec (SheetSpec): The dataset's sheet.
        path (str): The sheet file.
        report (ConversionReport): Receives the source and blank rows.

    Returns:
        list[SheetRow]: One per non-blank row, in sheet order.

    Raises:
        AnnotationError: For a missing or unreadable file, a missing
            column, an empty or invalid subject/clip, a frame cell that is
            not a number, or an emotion word the dataset does not use.
    """
    table = read_table(path, spec.columns, spec.required, spec.title)
    filled = [n for n, cells in table.rows
              if not all(is_blank(v) for v in cells.values())]
    last = filled[-1] if filled else table.header_row
    report.add_source(path, spec.dataset, len(filled), table.worksheet,
                      table.header_row)
    rows: List[SheetRow] = []
    for number, cells in table.rows:
        if number > last:
            break
        if all(is_blank(v) for v in cells.values()):
            report.add('blank_row', dict(file=table.name, row=number),
                       'no values')
            continue
        rows.append(_read_row(spec, table, number, cells))
    # An emotion written unlike the sheet's usual spelling of it
    spellings: Dict[str, Counter] = {}
    for row in rows:
        if row.emotion is not None:
            spellings.setdefault(row.emotion, Counter())[str(
                row.emotion_cell)] += 1
    usual = {w: c.most_common(1)[0][0] for w, c in spellings.items()}
    for row in rows:
        if row.emotion is None:
            continue
        cell = str(row.emotion_cell)
        if cell != usual[row.emotion] or canonical_word(cell) != row.emotion:
            row.notes.append(('emotion_spelling',
                              f'{cell!r} -> {row.emotion!r}'))
    return rows


def build_samples(rows: Sequence[SheetRow], spec: SheetSpec,
                  class_set: ClassSet,
                  report: ConversionReport) -> List[Tuple[SheetRow, Sample]]:
    """Apply the rules of irregular rows and make the samples (stage 2).

    Args:
        rows (sequence[SheetRow]): Stage-1 rows of one dataset.
        spec (SheetSpec): The dataset's sheet.
        class_set (ClassSet): The class set of the output.
        report (ConversionReport): Receives every rule that fires.

    Returns:
        list[tuple[SheetRow, Sample]]: Each written sample with its row,
        in row order.
    """
    # 1. duplicates and conflicts
    groups: 'OrderedDict[tuple, List[SheetRow]]' = OrderedDict()
    for row in rows:
        groups.setdefault((row.subject, row.clip), []).append(row)
    unique: List[SheetRow] = []
    for group in groups.values():
        signatures = {(r.onset, r.apex, r.offset, r.emotion, r.label)
                      for r in group}
        if len(signatures) == 1:
            unique.append(group[0])
            for row in group[1:]:
                report.add('duplicate_row', row.where(),
                           f'same as row {group[0].row}')
            continue
        numbers = ', '.join(str(r.row) for r in group)
        for row in group:
            report.add(
                'conflicting_rows', row.where(),
                f'rows {numbers} differ; this one: {row.onset}, {row.apex}, '
                f'{row.offset}, {row.emotion}')
    unique.sort(key=lambda r: r.order)

    # 2. class, 3. frames
    out: List[Tuple[SheetRow, Sample]] = []
    for row in unique:
        cls = class_set.class_of(row.dataset, row.emotion) \
            if row.emotion is not None else None
        if row.label is not None:
            label = row.label
            if row.emotion is not None and (
                    cls is None or class_set.label_of(cls) != label):
                report.add(
                    'label_mismatch', row.where(),
                    f'emotion {row.emotion} ({cls or "no class"}) but list '
                    f'label {label} ({class_set.classes[label]})')
        elif cls is None:
            report.add('excluded_emotion', row.where(), str(row.emotion))
            continue
        else:
            label = class_set.label_of(cls)
        fixed = repair_frames(row.onset, row.apex, row.offset,
                              spec.first_frame, row.raw)
        if fixed.dropped:
            report.add(fixed.dropped[0], row.where(), fixed.dropped[1])
            continue
        for rule, detail in row.notes + fixed.fixes:
            report.add(rule, row.where(), detail)
        span = fixed.offset - fixed.onset + 1
        if spec.fps and span / spec.fps > LONG_SPAN_SECONDS:
            report.add('long_span', row.where(),
                       f'{fixed.onset}..{fixed.offset}: {span} frames = '
                       f'{span / spec.fps:.1f} s at {spec.fps:g} fps')
        if fixed.apex == fixed.onset:
            report.add('apex_at_onset', row.where(),
                       f'onset = apex = {fixed.onset}')
        emotion = row.emotion
        if emotion is None:
            emotion = class_set.classes[label]
        out.append((row, Sample(row.dataset, row.subject, row.clip,
                                row.clip_dir, fixed.onset, fixed.apex,
                                fixed.offset, emotion, label,
                                row.action_units)))

    if spec.shared_clip_folders:
        per_folder = Counter((r.subject, r.clip_dir) for r, _ in out)
        for row, _ in out:
            n = per_folder[(row.subject, row.clip_dir)]
            if n > 1:
                report.add('shared_clip_folder', row.where(),
                           f'folder {row.clip_dir} holds {n} samples')
    return out


def convert_sheet(spec: SheetSpec, path: str, class_set: ClassSet,
                  report: Optional[ConversionReport] = None
                  ) -> Tuple[List[dict], ConversionReport]:
    """Convert one dataset's label sheet.

    Args:
        spec (SheetSpec): The dataset's sheet.
        path (str): The sheet file.
        class_set (ClassSet): The class set; it must cover the dataset.
        report (ConversionReport, optional): A report to fill.

    Returns:
        tuple[list[dict], ConversionReport]: The records and the report.
    """
    if spec.dataset not in class_set.datasets:
        raise AnnotationError(f'class set {class_set.name} does not cover '
                              f'{spec.title}')
    report = report or ConversionReport(spec.dataset, class_set, spec.title)
    rows = read_sheet_rows(spec, path, report)
    samples = build_samples(rows, spec, class_set, report)
    return [s.to_dict() for _, s in samples], report
