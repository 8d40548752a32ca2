"""Writing the intervals of demo long videos as the data sets' sheets.

* CAS(ME)^2 (``CAS(ME)^2code_final.xlsx``): worksheet ``CASFEcode_final``
  without a header, one row per expression: subject id (1, 2, ...), the
  expression's name ``<stimulus>_<k>`` (``disgust1_1``), onset, apex and
  offset frame numbers (``img<N>.jpg``), the action units, the emotion
  category (positive, negative, surprise, others), the type
  (``micro-expression``; ``macro-expression`` in the real sheet) and the
  emotion word; worksheet ``naming rule1`` maps the subject id to its folder
  (``15``, ``s15``, ``1``), ``naming rule2`` the stimulus code to its name
  (``101``, ``disgust1``).
* SAMM Long Videos (``SAMM_LongVideos_V3_Release.xlsx``): worksheet
  ``FACS_Movement_Only``; nine rows of notes, the header on row 10
  (``Subject, Filename, Inducement Code, Onset, Apex, Offset, Duration, Type,
  Action Units, Notes``), one row per movement from row 11; ``Filename`` is
  ``<subject>_<video>_<k>`` (``006_1_2``), ``Type`` ``Micro - 1/2`` (or
  ``Macro``).

:mod:`mmaction_tsfmicro.spotting.sheets` reads both. The files are written
byte for byte reproducibly (fixed dates and zip time stamps).
"""
import io
from dataclasses import dataclass
from typing import Iterable, List

from mmaction_tsfmicro.utils.fileio import write_bytes
from .coding_sheet import _FIXED_DATE, _reproducible_zip

#: The emotion category of each demo class (CAS(ME)^2's seventh column).
CATEGORIES = {'happiness': 'positive', 'disgust': 'negative',
              'repression': 'negative', 'surprise': 'surprise',
              'others': 'others'}

#: The header of SAMM's worksheet (row 10).
SAMM_HEADER = ('Subject', 'Filename', 'Inducement Code', 'Onset', 'Apex',
               'Offset', 'Duration', 'Type', 'Action Units', 'Notes')
#: SAMM's rows before the header.
SAMM_NOTE_ROWS = 9


@dataclass(frozen=True)
class IntervalRow:
    """One annotated expression of a long video.

    Args:
        subject_number (int): 1-based subject number.
        subject (str): Subject folder (``s01``, ``001``).
        video_number (int): 1-based video number of the subject.
        video (str): Video folder.
        name (str): The expression's name in the sheet.
        onset (int): Onset frame number.
        apex (int): Apex frame number.
        offset (int): Offset frame number.
        action_units (str): The AU combination (``6+12``).
        emotion (str): The class.
    """

    subject_number: int
    subject: str
    video_number: int
    video: str
    name: str
    onset: int
    apex: int
    offset: int
    action_units: str
    emotion: str


def _save(wb, path: str) -> None:
    wb.properties.creator = 'mmaction-tsfmicro demo'
    wb.properties.created = _FIXED_DATE
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes(path, _reproducible_zip(buf.getvalue()))


def _au_text(action_units: str) -> str:
    return '+'.join(f'AU{c}' for c in str(action_units).split('+'))


def write_casme2_sheet(rows: Iterable[IntervalRow], path: str) -> None:
    """Write rows as a CAS(ME)^2 code sheet (three worksheets).

    Args:
        rows (Iterable[IntervalRow]): The expressions, in order.
        path (str): The ``.xlsx`` file.
    """
    from openpyxl import Workbook

    from mmaction_tsfmicro.spotting.layouts import stimulus_code
    rows = list(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = 'CASFEcode_final'
    for r in rows:
        ws.append([r.subject_number, r.name, r.onset, r.apex, r.offset,
                   _au_text(r.action_units), CATEGORIES[r.emotion],
                   'micro-expression', r.emotion])
    rule1 = wb.create_sheet('naming rule1')
    for number, folder in sorted({(r.subject_number, r.subject)
                                  for r in rows}):
        rule1.append([folder[1:], folder, number])
    rule2 = wb.create_sheet('naming rule2')
    for video in sorted({r.video_number for r in rows}):
        rule2.append([int(stimulus_code(video)), f'demo{video}'])
    _save(wb, path)


def write_samm_sheet(rows: Iterable[IntervalRow], path: str,
                     fps: float) -> None:
    """Write rows as a SAMM Long Videos sheet.

    Args:
        rows (Iterable[IntervalRow]): The expressions, in order.
        path (str): The ``.xlsx`` file.
        fps (float): The frame rate (noted above the header).
    """
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = 'FACS_Movement_Only'
    notes: List[str] = [
        'SAMM Long Videos layout: demo data (synthetic action-unit motions '
        'on real faces)',
        f'Frame rate: {fps:g} fps; frames <Filename video>_<NNNN>.jpg',
        'Onset, Apex, Offset: frame numbers; Duration: Offset - Onset + 1',
        'Type: Micro - 1/2 (micro-movements; no macro-movements here)',
        'Blinks and head motion are not annotated',
    ]
    for i in range(SAMM_NOTE_ROWS):
        ws.append([notes[i] if i < len(notes) else None])
    ws.append(list(SAMM_HEADER))
    for r in rows:
        ws.append([r.subject, r.name, 1, r.onset, r.apex, r.offset,
                   r.offset - r.onset + 1, 'Micro - 1/2', r.action_units,
                   f'demo class: {r.emotion}'])
        ws.cell(row=ws.max_row, column=1).number_format = '@'
    _save(wb, path)
