"""The rules for irregular frame numbers (see docs/annotations.md).

:func:`parse_frame` reads a frame-number cell; :func:`repair_frames` turns
an onset/apex/offset triple into one with ``onset <= apex <= offset``, or
says why the row cannot be placed. Both are pure functions, so each rule is
tested on its own; the converters record what they return in the
:class:`~.common.ConversionReport`.
"""
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

#: Cell texts that mean "not annotated" in a frame-number column.
MISSING_MARKERS = ('', '/', '-', '?')


def show_cell(value: Any) -> str:
    """A cell as messages show it (``'/'``, ``blank``, ``261``)."""
    if value is None or (isinstance(value, float) and value != value):
        return 'blank'
    if isinstance(value, str):
        return repr(value) if value.strip() else 'blank'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_frame(value: Any) -> Optional[int]:
    """Read a frame-number cell.

    Args:
        value (Any): The cell: an int, an integral float, a text of digits,
            blank, or a marker of :data:`MISSING_MARKERS`.

    Returns:
        int | None: The frame number; ``None`` when the cell is blank, a
        missing marker or 0 (no dataset numbers a frame 0; the sheets write
        0 for "not annotated").

    Raises:
        ValueError: If the cell is not a frame number (text, negative or
            fractional numbers, booleans).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError('not a frame number')
    if isinstance(value, float):
        if value != value:
            return None
        if not value.is_integer() or value < 0:
            raise ValueError('not a frame number')
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text in MISSING_MARKERS:
            return None
        if text.endswith('.0'):
            text = text[:-2]
        if not text.isdigit():
            raise ValueError('not a frame number')
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise ValueError('not a frame number')
    return value or None


@dataclass
class FrameRepair:
    """The outcome of :func:`repair_frames`.

    Args:
        onset (int | None): The onset to write (``None`` when dropped).
        apex (int | None): The apex to write.
        offset (int | None): The offset to write.
        fixes (list[tuple[str, str]]): ``(rule, detail)`` of each repair.
        dropped (tuple[str, str], optional): ``(rule, detail)`` when the row
            cannot be placed.
    """

    onset: Optional[int]
    apex: Optional[int]
    offset: Optional[int]
    fixes: List[Tuple[str, str]] = field(default_factory=list)
    dropped: Optional[Tuple[str, str]] = None


def repair_frames(onset: Optional[int],
                  apex: Optional[int],
                  offset: Optional[int],
                  first_frame: Optional[int] = None,
                  raw: Optional[dict] = None) -> FrameRepair:
    """Apply the frame rules to one row, in a fixed order.

    1. ``missing_onset``: a missing onset is the dataset's first frame
       number when it is known (CAS(ME)^3: 1); otherwise the row is dropped
       (``unplaceable_frames``).
    2. ``missing_offset``: a missing offset is the apex (dropped when the
       apex is missing too, or lies before the onset).
    3. ``missing_apex``: a missing apex is ``(onset + offset) // 2``
       (dropped when the onset lies after the offset).
    4. Onset after offset: if the onset alone is out of order
       (``apex <= offset < onset``) it becomes ``2 * apex - offset``, at
       least the first frame (``onset_after_offset``); if the offset alone
       is (``offset < onset <= apex``) it becomes ``2 * apex - onset``
       (``offset_before_onset``); ``offset < apex < onset`` is read
       backwards and onset and offset are swapped (``reversed_frames``).
    5. ``apex_outside``: an apex before the onset or after the offset is
       ``(onset + offset) // 2``.

    Args:
        onset (int | None): Parsed onset (``None``: missing).
        apex (int | None): Parsed apex.
        offset (int | None): Parsed offset.
        first_frame (int, optional): The dataset's first frame number, if
            its frame numbering is known to start there.
        raw (dict, optional): The cells as written, for the details.

    Returns:
        FrameRepair: The frames to write and what was done.
    """
    raw = raw or {}
    shown = {k: show_cell(raw.get(k, v))
             for k, v in (('onset', onset), ('apex', apex),
                          ('offset', offset))}
    out = FrameRepair(onset, apex, offset)

    def drop(detail: str) -> FrameRepair:
        out.onset = out.apex = out.offset = None
        out.dropped = ('unplaceable_frames', detail)
        return out

    if onset is None:
        if first_frame is None:
            return drop(f'onset {shown["onset"]}; the first frame number '
                        'is unknown')
        onset = first_frame
        out.fixes.append(('missing_onset', f'onset {shown["onset"]} -> '
                          f'{onset} (first frame)'))
    if offset is None:
        if apex is None:
            return drop(f'apex {shown["apex"]} and offset '
                        f'{shown["offset"]} both missing')
        if apex < onset:
            return drop(f'offset {shown["offset"]} missing and apex {apex} '
                        f'before onset {onset}')
        offset = apex
        out.fixes.append(('missing_offset', f'offset {shown["offset"]} -> '
                          f'{offset} (the apex)'))
    if apex is None:
        if onset > offset:
            return drop(f'apex {shown["apex"]} missing and onset {onset} '
                        f'after offset {offset}')
        apex = (onset + offset) // 2
        out.fixes.append(('missing_apex', f'apex {shown["apex"]} -> {apex} '
                          f'(middle of {onset}..{offset})'))
    if onset > offset:
        if apex <= offset:
            floor = first_frame if first_frame is not None else 1
            new = max(2 * apex - offset, floor)
            out.fixes.append((
                'onset_after_offset', f'onset {onset} after apex {apex} and '
                f'offset {offset} -> {new} (2 * apex - offset)'))
            onset = new
        elif apex >= onset:
            new = 2 * apex - onset
            out.fixes.append((
                'offset_before_onset', f'offset {offset} before onset '
                f'{onset} and apex {apex} -> {new} (2 * apex - onset)'))
            offset = new
        else:
            out.fixes.append((
                'reversed_frames', f'{onset}, {apex}, {offset} written '
                f'backwards -> {offset}, {apex}, {onset}'))
            onset, offset = offset, onset
    elif not onset <= apex <= offset:
        new = (onset + offset) // 2
        out.fixes.append(('apex_outside', f'apex {apex} outside '
                          f'{onset}..{offset} -> {new} (middle)'))
        apex = new
    out.onset, out.apex, out.offset = onset, apex, offset
    return out
