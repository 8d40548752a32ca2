"""CAS(ME)^3 part A: ``cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx``.

Worksheet ``label``: ``Subject`` (``spNO.1``), ``Filename`` (the task
letter a..m), ``Onset``, ``Apex``, ``Offset`` (numbers of the jpg files,
"JpgIndex"), ``AU``, ``Objective class``, ``emotion``.

Frame layout: ``<Subject>/<Filename>/color/<N>.jpg``. A task folder holds
the whole recording of one task, and a subject's sheet rows may share it
at different onsets (MMNet reads ``<Subject>/<Filename>/<N>.jpg`` the same
way). So ``clip_dir`` is the task letter, and the sample's ``clip`` id is
``<letter>_<onset>`` (the onset as written), unique within the subject.
The colour frames are numbered from 1 (there is no ``0.jpg``).
"""
import re
from typing import Any, List, Tuple, Union

from .report import ConversionReport
from .sheet_conversion import SheetSpec, convert_sheet, number_text
from .spec import ClassSet, DatasetSpec

TITLE = 'CAS(ME)^3 part A'
#: The ``emotion`` words of the sheet.
WORDS = ('happy', 'disgust', 'fear', 'anger', 'sad', 'surprise', 'others')
#: Part A's frame layout (the colour frames of each task's recording).
LAYOUTS = {'casme3': '{subject}/{clip}/color/{frame}.jpg'}
CLASS_SETS = (
    ClassSet('casme3_7', WORDS, {'casme3': {w: w for w in WORDS}},
             'CAS(ME)^3 part A, all seven emotion words'),
    ClassSet(
        'casme3_4', ('positive', 'negative', 'surprise', 'others'),
        {'casme3': {'happy': 'positive', 'disgust': 'negative',
                    'fear': 'negative', 'anger': 'negative',
                    'sad': 'negative', 'surprise': 'surprise',
                    'others': 'others'}},
        'CAS(ME)^3 4 classes: happy -> positive; disgust, fear, anger, sad '
        '-> negative (the grouping of TSFmicro\'s classes/cas3/'
        'dataset_c4.py)'),
)


def casme3_subject(value: Any) -> str:
    """The subject folder name: ``'spNO.1'`` (or ``1``) -> ``spNO.1``.

    Raises:
        ValueError: If the cell is not a subject name.
    """
    match = re.fullmatch(r'(?:sp\s*no\s*\.?\s*)?0*(\d+)',
                         number_text(value).strip(), re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise ValueError('expected a name such as spNO.1')
    return f'spNO.{int(match.group(1))}'


def casme3_clip(text: str) -> str:
    """The task folder name: task letters are lower case (``J`` -> ``j``)."""
    return text.lower() if len(text) == 1 and text.isalpha() else text


CASME3_SHEET = SheetSpec(
    dataset='casme3',
    title=TITLE,
    fps=30,
    words=WORDS,
    aliases={'other': 'others'},
    columns={
        'subject': ('Subject', ),
        'clip': ('Filename', ),
        'onset': ('Onset', ),
        'apex': ('Apex', ),
        'offset': ('Offset', ),
        'emotion': ('emotion', ),
        'action_units': ('AU', ),
    },
    required=('subject', 'clip', 'onset', 'apex', 'offset', 'emotion'),
    subject_id=casme3_subject,
    clip_id=casme3_clip,
    shared_clip_folders=True,
    canonical_ids=True,
    first_frame=1)


def convert_casme3(path: str, class_set: Union[None, int, str] = None
                   ) -> Tuple[List[dict], ConversionReport]:
    """Convert the CAS(ME)^3 part A sheet.

    Args:
        path (str): ``cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx``.
        class_set (int | str, optional): ``7`` / ``'casme3_7'`` (default)
            or ``4`` / ``'casme3_4'``.

    Returns:
        tuple[list[dict], ConversionReport]: Records and report.
    """
    return convert_sheet(CASME3_SHEET, path, SPEC.class_set(class_set))


SPEC = DatasetSpec(
    name='casme3',
    title=TITLE,
    sheet=CASME3_SHEET,
    class_sets=CLASS_SETS,
    layouts=LAYOUTS,
    convert=convert_casme3,
    sheet_files='cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx')
