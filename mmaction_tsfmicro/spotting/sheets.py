"""Reading the interval sheets of the long-video sets.

The layouts of the sheets are those of :mod:`.layouts`' data sets (see
:mod:`tsfmicro_synthesis.long_video_sheets`, which writes them for
the demo); both readers give one dict per annotated movement with
``subject`` (the subject folder), ``video`` (the video folder, or for
CAS(ME)^2 the folder's prefix ``<NN>_<code>``, the rest of the real names
being the stimulus words), ``name``, ``onset``, ``apex``, ``offset``,
``type`` (``micro`` or ``macro``), ``action_units`` and ``emotion`` (None
where the sheet has none). As the MEGC baseline reads them, an offset of 0
(not annotated) becomes the apex, and an apex of 0 the middle of onset and
offset.
"""
import os
import os.path as osp
from typing import Any, Dict, List, Optional

SAMM_NOTE_ROWS = 9


def _int(value: Any, where: str) -> int:
    try:
        return int(round(float(value)))
    except (TypeError, ValueError):
        raise ValueError(f'{where}: expected a frame number, got '
                         f'{value!r}') from None


def _frames(onset: int, apex: int, offset: int) -> Dict[str, int]:
    if offset == 0:
        offset = apex
    if apex == 0:
        apex = (onset + offset) // 2
    return dict(onset=onset, apex=apex, offset=offset)


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_casme2_long_sheet(path: str) -> List[Dict]:
    """Read ``CAS(ME)^2code_final.xlsx`` (or the demo's copy of it).

    Args:
        path (str): The sheet.

    Returns:
        list[dict]: One record per row of ``CASFEcode_final``.
    """
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    for name in ('CASFEcode_final', 'naming rule1', 'naming rule2'):
        if name not in wb.sheetnames:
            raise ValueError(f'{path}: no worksheet {name!r}; not a '
                             'CAS(ME)^2 code sheet')
    folders = {}
    for row in wb['naming rule1'].iter_rows(values_only=True):
        if row and row[0] is not None and row[2] is not None:
            folders[_int(row[2], f'{path}: naming rule1')] = (
                str(row[1]).strip(), f'{int(float(row[0])):02d}')
    codes = {}
    for row in wb['naming rule2'].iter_rows(values_only=True):
        if row and row[0] is not None and row[1] is not None:
            codes[str(row[1]).strip()] = f'{_int(row[0], path):04d}'
    out = []
    for i, row in enumerate(wb['CASFEcode_final'].iter_rows(
            values_only=True), 1):
        if not row or row[0] is None:
            continue
        where = f'{path}: CASFEcode_final row {i}'
        number = _int(row[0], where)
        if number not in folders:
            raise ValueError(f'{where}: subject {number} is not in naming '
                             'rule1')
        name = str(row[1]).strip()
        stimulus = name.split('_')[0]
        if stimulus not in codes:
            raise ValueError(f'{where}: stimulus {stimulus!r} is not in '
                             'naming rule2')
        folder, num = folders[number]
        kind = str(row[7]).strip().lower()
        out.append(dict(
            subject=folder, video=f'{num}_{codes[stimulus]}', name=name,
            **_frames(_int(row[2], where), _int(row[3], where),
                      _int(row[4], where)),
            type='micro' if kind.startswith('micro') else 'macro',
            action_units=_text(row[5]),
            emotion=_text(row[8]) if len(row) > 8 else None))
    wb.close()
    return out


def find_video_folder(root: str, subject: str, prefix: str) -> str:
    """The CAS(ME)^2 video folder of ``root/subject`` whose name starts
    with ``prefix`` (``15_0101`` finds ``15_0101disgustingteeth``).

    Raises:
        FileNotFoundError: If none, or several, match.
    """
    folder = osp.join(root, subject)
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{folder}: subject folder not found')
    found = sorted(n for n in os.listdir(folder) if n.startswith(prefix)
                   and osp.isdir(osp.join(folder, n)))
    if len(found) != 1:
        raise FileNotFoundError(
            f'{folder}: {len(found)} video folders start with {prefix!r}'
            + (f' ({", ".join(found)})' if found else ''))
    return found[0]


def read_samm_long_sheet(path: str) -> List[Dict]:
    """Read ``SAMM_LongVideos_V3_Release.xlsx`` (or the demo's copy).

    Args:
        path (str): The sheet.

    Returns:
        list[dict]: One record per movement row.
    """
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    if 'FACS_Movement_Only' not in wb.sheetnames:
        raise ValueError(f'{path}: no worksheet \'FACS_Movement_Only\'; not '
                         'a SAMM Long Videos sheet')
    rows = list(wb['FACS_Movement_Only'].iter_rows(values_only=True))
    wb.close()
    header = [str(v).strip() if v is not None else '' for v in
              (rows[SAMM_NOTE_ROWS] if len(rows) > SAMM_NOTE_ROWS else [])]
    if header[:6] != ['Subject', 'Filename', 'Inducement Code', 'Onset',
                      'Apex', 'Offset']:
        raise ValueError(f'{path}: row {SAMM_NOTE_ROWS + 1} is not the SAMM '
                         f'header (got {header[:6]})')
    col = {name: i for i, name in enumerate(header)}
    out = []
    for i, row in enumerate(rows[SAMM_NOTE_ROWS + 1:], SAMM_NOTE_ROWS + 2):
        if not row or row[0] is None:
            continue
        where = f'{path}: row {i}'
        name = str(row[col['Filename']]).strip()
        parts = name.split('_')
        if len(parts) < 3:
            raise ValueError(f'{where}: Filename {name!r} is not '
                             '<subject>_<video>_<k>')
        kind = str(row[col['Type']]).strip().lower()
        out.append(dict(
            subject=parts[0], video='_'.join(parts[:2]), name=name,
            **_frames(_int(row[col['Onset']], where),
                      _int(row[col['Apex']], where),
                      _int(row[col['Offset']], where)),
            type='micro' if kind.startswith('micro') else 'macro',
            action_units=_text(row[col['Action Units']]),
            emotion=None))
    return out
