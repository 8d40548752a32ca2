"""CASME II: ``CASME2-coding-*.xlsx``.

Columns: ``Subject`` (1..26, written 1 or 01), ``Filename`` (the clip
folder, e.g. ``EP02_01f``), ``OnsetFrame``, ``ApexFrame``, ``OffsetFrame``
(numbers of ``img<N>.jpg`` / ``reg_img<N>.jpg``), ``Action Units``,
``Estimated Emotion``. Frames: ``subXX/<Filename>/img<N>.jpg``, so the
subject folder is ``sub`` and the number padded to two digits.
"""
import re
from typing import Any, List, Tuple, Union

from .report import ConversionReport
from .sheet_conversion import SheetSpec, convert_sheet, number_text
from .spec import ClassSet, DatasetSpec

TITLE = 'CASME II'
#: The ``Estimated Emotion`` words of the sheet.
WORDS = ('happiness', 'disgust', 'repression', 'surprise', 'others',
         'sadness', 'fear')
#: The releases' frame layouts: raw (``CASME2_RAW_selected``) and cropped.
LAYOUTS = {
    'casme2': '{subject}/{clip}/img{frame}.jpg',
    'casme2_cropped': '{subject}/{clip}/reg_img{frame}.jpg',
}
CLASS_SETS = (ClassSet(
    'casme2_5', ('happiness', 'disgust', 'repression', 'surprise', 'others'),
    {'casme2': {**{w: w for w in WORDS}, 'sadness': None, 'fear': None}},
    'CASME II 5-class protocol (sadness and fear, 6 samples, are too few '
    'and left out)'), )


def casme2_subject(value: Any) -> str:
    """The subject folder name: ``1``, ``'01'`` or ``'sub01'`` -> ``sub01``.

    Raises:
        ValueError: If the cell is not a subject number.
    """
    match = re.fullmatch(r'(?:sub)?0*(\d+)', number_text(value).strip(),
                         re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise ValueError('expected a number such as 1, 01 or sub01')
    return f'sub{int(match.group(1)):02d}'


CASME2_SHEET = SheetSpec(
    dataset='casme2',
    title=TITLE,
    fps=200,
    words=WORDS,
    aliases={'other': 'others'},
    columns={
        'subject': ('Subject', ),
        'clip': ('Filename', ),
        'onset': ('OnsetFrame', ),
        'apex': ('ApexFrame', ),
        'offset': ('OffsetFrame', ),
        'emotion': ('Estimated Emotion', ),
        'action_units': ('Action Units', ),
    },
    required=('subject', 'clip', 'onset', 'apex', 'offset', 'emotion'),
    subject_id=casme2_subject)


def convert_casme2(path: str, class_set: Union[None, int, str] = None
                   ) -> Tuple[List[dict], ConversionReport]:
    """Convert the CASME II sheet.

    Args:
        path (str): ``CASME2-coding-*.xlsx``.
        class_set (int | str, optional): ``5`` / ``'casme2_5'`` (default).

    Returns:
        tuple[list[dict], ConversionReport]: Records and report.
    """
    return convert_sheet(CASME2_SHEET, path, SPEC.class_set(class_set))


SPEC = DatasetSpec(
    name='casme2',
    title=TITLE,
    sheet=CASME2_SHEET,
    class_sets=CLASS_SETS,
    layouts=LAYOUTS,
    convert=convert_casme2,
    sheet_files='CASME2-coding-*.xlsx')
