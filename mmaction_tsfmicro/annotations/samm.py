"""SAMM: ``SAMM_Micro_FACS_Codes_v2.xlsx`` (worksheet ``MICRO_ONLY``).

A legend fills the first 13 rows; the header is on row 14: ``Subject``
(``006``), ``Filename`` (the clip folder, e.g. ``006_1_2``), ``Onset
Frame``, ``Apex Frame``, ``Offset Frame`` (numbers of
``<Subject>_<NNNNN>.jpg``), ``Action Units``, ``Estimated Emotion``. The
subject folder is the number padded to three digits.
"""
import re
from typing import Any, List, Tuple, Union

from .report import ConversionReport
from .sheet_conversion import SheetSpec, convert_sheet, number_text
from .spec import ClassSet, DatasetSpec

TITLE = 'SAMM'
#: The ``Estimated Emotion`` words of the sheet.
WORDS = ('anger', 'contempt', 'happiness', 'surprise', 'other', 'disgust',
         'fear', 'sadness')
#: The release's frame layout (grayscale JPEGs).
LAYOUTS = {'samm': '{subject}/{clip}/{subject}_{frame:05d}.jpg'}
CLASS_SETS = (ClassSet(
    'samm_5', ('anger', 'contempt', 'happiness', 'surprise', 'other'),
    {'samm': {**{w: w for w in WORDS}, 'disgust': None, 'fear': None,
              'sadness': None}},
    'SAMM 5-class protocol (disgust, fear and sadness left out)'), )


def samm_subject(value: Any) -> str:
    """The subject folder name: ``6`` or ``'006'`` -> ``006``.

    Raises:
        ValueError: If the cell is not a subject number.
    """
    match = re.fullmatch(r'0*(\d+)', number_text(value).strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError('expected a number such as 6 or 006')
    return f'{int(match.group(1)):03d}'


SAMM_SHEET = SheetSpec(
    dataset='samm',
    title=TITLE,
    fps=200,
    words=WORDS,
    aliases={'others': 'other'},
    columns={
        'subject': ('Subject', ),
        'clip': ('Filename', ),
        'onset': ('Onset Frame', ),
        'apex': ('Apex Frame', ),
        'offset': ('Offset Frame', ),
        'emotion': ('Estimated Emotion', ),
        'action_units': ('Action Units', ),
    },
    required=('subject', 'clip', 'onset', 'apex', 'offset', 'emotion'),
    subject_id=samm_subject)


def convert_samm(path: str, class_set: Union[None, int, str] = None
                 ) -> Tuple[List[dict], ConversionReport]:
    """Convert the SAMM sheet.

    Args:
        path (str): ``SAMM_Micro_FACS_Codes_v2.xlsx``.
        class_set (int | str, optional): ``5`` / ``'samm_5'`` (default).

    Returns:
        tuple[list[dict], ConversionReport]: Records and report.
    """
    return convert_sheet(SAMM_SHEET, path, SPEC.class_set(class_set))


SPEC = DatasetSpec(
    name='samm',
    title=TITLE,
    sheet=SAMM_SHEET,
    class_sets=CLASS_SETS,
    layouts=LAYOUTS,
    convert=convert_samm,
    sheet_files='SAMM_Micro_FACS_Codes_v2.xlsx')
