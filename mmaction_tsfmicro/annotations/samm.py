"""SAMM: ``SAMM_Micro_FACS_Codes_v2.xlsx`` (worksheet ``MICRO_ONLY``).

A legend fills the first 13 rows; the header is on row 14: ``Subject``
(``006``), ``Filename`` (the clip folder, e.g. ``006_1_2``), ``Onset
Frame``, ``Apex Frame``, ``Offset Frame`` (numbers of
``<Subject>_<NNNNN>.jpg``), ``Action Units``, ``Estimated Emotion``. The
subject folder is the number padded to three digits.
"""
import re
from typing import Any, List, Tuple, Union

from .class_sets import class_set_for
from .common import ConversionReport
from .sheet_conversion import SheetSpec, convert_sheet, number_text


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
    return convert_sheet(SAMM_SHEET, path, class_set_for('samm', class_set))
