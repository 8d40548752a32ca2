"""Frame-path layouts of the micro-expression datasets.

Each data set declares its layouts in its own module (e.g.
:data:`.casme2.LAYOUTS`) and the registry collects them
(:data:`.registry.LAYOUTS`); this module turns them into paths. A layout
is a :meth:`str.format` template relative to the dataset root, with the
fields ``{subject}``, ``{clip}`` and ``{frame}`` (the frame number as
written in the file name, with an optional format spec such as
``{frame:05d}``). The last path component of a template is the frame
file name; everything before it is the folder that holds a clip's frames.

- ``casme2`` (CASME II raw): ``{subject}/{clip}/img{frame}.jpg``
- ``casme2_cropped`` (CASME II cropped):
  ``{subject}/{clip}/reg_img{frame}.jpg``
- ``samm`` (SAMM, grayscale): ``{subject}/{clip}/{subject}_{frame:05d}.jpg``
- ``casme3`` (CAS(ME)^3 part A): ``{subject}/{clip}/color/{frame}.jpg``

Example:
    >>> frame_path('samm', '/data/SAMM', '006', '006_1_2', 5562)
    '/data/SAMM/006/006_1_2/006_05562.jpg'
    >>> filename_tmpl('samm', '006', '006_1_2')
    '006_{:05d}.jpg'
"""
import os
import os.path as osp
import re
import string
from typing import Dict, List, Tuple

from .registry import LAYOUTS

_FIELDS = ('subject', 'clip', 'frame')


def get_template(layout: str) -> str:
    """Return the template of a layout name, or check a custom template.

    Args:
        layout (str): A key of :data:`LAYOUTS`, or a custom template that
            uses ``{frame}`` in its last path component and may use
            ``{subject}`` and ``{clip}``.

    Returns:
        str: The template.
    """
    if layout in LAYOUTS:
        return LAYOUTS[layout]
    if '{' not in layout:
        raise KeyError(f'unknown frame layout {layout!r}; known layouts: '
                       f'{", ".join(sorted(LAYOUTS))}, or a template with '
                       '{subject}, {clip} and {frame}')
    names = [f for _, f, _, _ in string.Formatter().parse(layout)
             if f is not None]
    bad = sorted(set(names) - set(_FIELDS))
    if bad:
        raise ValueError(f'frame layout {layout!r} uses unknown fields '
                         f'{bad}; allowed: {list(_FIELDS)}')
    if 'frame' not in names or '{frame' in osp.dirname(layout):
        raise ValueError(f'frame layout {layout!r} must use {{frame}} in '
                         'its file name (last path component)')
    return layout


def _split(layout: str) -> Tuple[str, str]:
    template = get_template(layout)
    return osp.dirname(template), osp.basename(template)


def frame_path(layout: str, root: str, subject: str, clip: str,
               frame: int) -> str:
    """Return the path of one frame.

    Args:
        layout (str): Layout name or template (see :func:`get_template`).
        root (str): Dataset root folder.
        subject (str): Subject folder name.
        clip (str): Clip folder name.
        frame (int): Frame number as written in the file name.

    Returns:
        str: ``root`` joined with the formatted template.
    """
    rel = get_template(layout).format(
        subject=subject, clip=clip, frame=int(frame))
    return osp.join(root, rel)


def frame_dir(layout: str, root: str, subject: str, clip: str) -> str:
    """Return the folder that holds the frames of a clip.

    Args:
        layout (str): Layout name or template.
        root (str): Dataset root folder.
        subject (str): Subject folder name.
        clip (str): Clip folder name.

    Returns:
        str: The folder, e.g. ``root/spNO.1/a/color`` for ``casme3``.
    """
    dir_tmpl, _ = _split(layout)
    return osp.join(root, dir_tmpl.format(subject=subject, clip=clip))


def filename_tmpl(layout: str, subject: str, clip: str) -> str:
    """Return the frame file-name template of a clip, taking the number.

    The result is a :meth:`str.format` template with one positional field,
    as MMAction2's ``RawFrameDecode`` and the plugin's loaders expect
    (``filename_tmpl.format(frame)``); braces in the subject or clip names
    are escaped.

    Args:
        layout (str): Layout name or template.
        subject (str): Subject folder name.
        clip (str): Clip folder name.

    Returns:
        str: E.g. ``'img{}.jpg'`` (``casme2``), ``'006_{:05d}.jpg'``
        (``samm``).
    """
    _, name_tmpl = _split(layout)
    values = {'subject': subject, 'clip': clip}
    out = []
    for literal, field, spec, conv in string.Formatter().parse(name_tmpl):
        out.append(literal.replace('{', '{{').replace('}', '}}'))
        if field is None:
            continue
        if field == 'frame':
            out.append('{' + (f'!{conv}' if conv else '') +
                       (f':{spec}' if spec else '') + '}')
        else:
            value = format(values[field], spec or '')
            out.append(value.replace('{', '{{').replace('}', '}}'))
    return ''.join(out)


def frame_regex(layout: str, subject: str, clip: str) -> 're.Pattern':
    """Return a regex that matches a clip's frame file names.

    Args:
        layout (str): Layout name or template.
        subject (str): Subject folder name.
        clip (str): Clip folder name.

    Returns:
        re.Pattern: Full-match pattern whose group ``frame`` is the number.
    """
    _, name_tmpl = _split(layout)
    values = {'subject': subject, 'clip': clip}
    out = []
    for literal, field, spec, _ in string.Formatter().parse(name_tmpl):
        out.append(re.escape(literal))
        if field is None:
            continue
        if field == 'frame':
            out.append(r'(?P<frame>\d+)')
        else:
            out.append(re.escape(format(values[field], spec or '')))
    return re.compile(''.join(out))


def list_frames(layout: str, root: str, subject: str,
                clip: str) -> List[Tuple[int, str]]:
    """List the frames of a clip folder, sorted by frame number.

    Args:
        layout (str): Layout name or template.
        root (str): Dataset root folder.
        subject (str): Subject folder name.
        clip (str): Clip folder name.

    Returns:
        list[tuple[int, str]]: ``(frame number, path)`` pairs; files that do
        not match the layout's file name are ignored.

    Raises:
        FileNotFoundError: If the clip folder does not exist.
    """
    folder = frame_dir(layout, root, subject, clip)
    if not osp.isdir(folder):
        raise FileNotFoundError(f'clip folder not found: {folder}')
    pattern = frame_regex(layout, subject, clip)
    frames = []
    for name in os.listdir(folder):
        match = pattern.fullmatch(name)
        if match:
            frames.append((int(match.group('frame')), osp.join(folder, name)))
    frames.sort()
    return frames


def guess_filename_tmpl(folder: str, frame: int) -> str:
    """The file-name template of a folder of numbered frames, found from
    the file whose number is ``frame``.

    ``img46.jpg`` gives ``'img{}.jpg'``, ``006_05562.jpg`` (frame 5562)
    ``'006_{:05d}.jpg'``.

    Args:
        folder (str): The folder of frames.
        frame (int): A frame number known to be there.

    Returns:
        str: The template, for ``template.format(number)``.

    Raises:
        FileNotFoundError: If no file, or more than one, is numbered
            ``frame``.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{folder}: frame folder not found')
    found = set()
    for name in sorted(os.listdir(folder)):
        for match in re.finditer(r'\d+', name):
            digits = match.group()
            if int(digits) != int(frame):
                continue
            spec = (f'{{:0{len(digits)}d}}' if len(digits) > len(str(frame))
                    else '{}')
            found.add(name[:match.start()].replace('{', '{{').replace(
                '}', '}}') + spec + name[match.end():].replace(
                    '{', '{{').replace('}', '}}'))
    images = sorted(t for t in found
                    if t.lower().endswith(('.jpg', '.jpeg', '.png', '.bmp')))
    if len(images) != 1:
        what = 'no image file' if not images else (
            f'several kinds of files ({", ".join(images)})')
        raise FileNotFoundError(
            f'{folder}: {what} numbered {frame}; give the file-name '
            "template (e.g. filename_tmpl='img{}.jpg')")
    return images[0]


_NUMBERED = re.compile(r'(?P<prefix>.*?)(?P<number>\d+)'
                       r'(?P<ext>\.(?:jpe?g|png|bmp))', re.IGNORECASE)


def numbered_frames(folder: str) -> List[Tuple[int, str]]:
    """The numbered image files of a frame folder of any naming, sorted.

    Files are grouped by what surrounds their last number (``img{}.jpg``,
    ``006_{:05d}.jpg``); the folder must hold one such group.

    Args:
        folder (str): The folder of frames.

    Returns:
        list[tuple[int, str]]: ``(frame number, path)`` pairs.

    Raises:
        FileNotFoundError: If the folder is missing, holds no numbered
            image, or holds several kinds of them.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{folder}: frame folder not found')
    groups: Dict[Tuple[str, str], List[Tuple[int, str]]] = {}
    for name in os.listdir(folder):
        match = _NUMBERED.fullmatch(name)
        if match:
            key = (match.group('prefix'), match.group('ext'))
            groups.setdefault(key, []).append(
                (int(match.group('number')), osp.join(folder, name)))
    if len(groups) != 1:
        what = 'no numbered image file' if not groups else (
            'several kinds of numbered images (' + ', '.join(
                sorted(f'{p}N{e}' for p, e in groups)) + ')')
        raise FileNotFoundError(f'{folder}: {what}')
    return sorted(next(iter(groups.values())))
