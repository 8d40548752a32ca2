"""SMIC (HS): the annotation sheet the user supplies for the composite.

SMIC's frames are public only under its licence, and no label sheet of it
is shipped here, so the MEGC 2019 composite takes its SMIC rows from a
sheet the user gives. Accepted: an .xlsx or .csv sheet with a header row
and the columns

* ``Subject``: ``1``, ``s1`` or ``s01`` (written ``s01``);
* ``Filename``: the clip folder, e.g. ``s01_ne_01`` (``s1_ne_01`` joins the
  composite's ``s01_ne_01`` too);
* ``OnsetF`` and ``OffsetF`` (or ``OnsetFrame``/``OffsetFrame``): the
  first and last frame numbers of the clip;
* optional ``ApexF`` (or ``ApexFrame``): SMIC has no apex annotation; when
  the column is absent or empty the apex is the middle of the clip;
* optional ``Emotion``: ``negative``, ``positive`` or ``surprise``; it is
  checked against the composite's label.

These are the column titles of SMIC-E's ``SMIC-HS-E_annotation.xlsx``.
"""
import re
from typing import Any

from .sheet_conversion import SheetSpec, number_text
from .spec import DatasetSpec

TITLE = 'SMIC'
#: SMIC's three classes (the folder names of its samples).
WORDS = ('negative', 'positive', 'surprise')


def smic_subject(value: Any) -> str:
    """The subject name: ``1``, ``'s1'`` or ``'s01'`` -> ``s01``.

    Raises:
        ValueError: If the cell is not a subject name.
    """
    match = re.fullmatch(r's?0*(\d+)', number_text(value).strip(),
                         re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise ValueError('expected a name such as s01 or 1')
    return f's{int(match.group(1)):02d}'


def smic_clip_key(clip: str) -> str:
    """The join key of a SMIC clip name (``s1_ne_01`` -> ``s01_ne_01``)."""
    match = re.fullmatch(r's0*(\d+)_(.+)', clip.strip(), re.IGNORECASE)
    if not match:
        return clip.strip().lower()
    return f's{int(match.group(1)):02d}_{match.group(2).lower()}'


SMIC_SHEET = SheetSpec(
    dataset='smic',
    title=TITLE,
    fps=100,
    words=WORDS,
    aliases={'ne': 'negative', 'po': 'positive', 'sur': 'surprise'},
    columns={
        'subject': ('Subject', ),
        'clip': ('Filename', ),
        'onset': ('OnsetF', 'OnsetFrame', 'Onset Frame'),
        'apex': ('ApexF', 'ApexFrame', 'Apex Frame'),
        'offset': ('OffsetF', 'OffsetFrame', 'Offset Frame'),
        'emotion': ('Emotion', ),
    },
    required=('subject', 'clip', 'onset', 'offset'),
    subject_id=smic_subject)

#: SMIC is converted only as part of the MEGC 2019 composite.
SPEC = DatasetSpec(name='smic', title=TITLE, sheet=SMIC_SHEET)
