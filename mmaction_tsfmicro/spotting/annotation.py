"""From a long-video set's interval sheet and frame folders to the
normalized spotting file.

:func:`spotting_annotation` reads the sheet (:mod:`.sheets`), finds each
annotated movement's video folder under the frame root (CAS(ME)^2 names
its folders by stimulus code and words, the sheet by stimulus name:
:func:`.sheets.find_video_folder`), counts every video's frames, and
returns the records and the ``metainfo`` of the plugin's spotting file
(docs/spotting.md): ``layout``, ``fps``, ``micro_frames`` (MEGC's micro
range at that rate) and ``videos``, every video of the root with its frame
range, those without an annotated movement too (they hold false positives
to count). ``tools/data/build_spotting_annotation.py`` is its command
line.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from .layouts import LongVideoLayout, get_long_layout
from .sheets import (find_video_folder, read_casme2_long_sheet,
                     read_samm_long_sheet)

#: Which annotated movements become records.
EXPRESSION_TYPES = ('micro', 'macro', 'all')
#: The class of a movement whose sheet names no emotion (SAMM Long Videos).
UNLABELLED = 'unlabelled'


def micro_frames(fps: float) -> List[int]:
    """MEGC's micro-expression length range (frames, ends included) at a
    frame rate: 0.2 to 0.5 s (7 to 16 frames at 30 fps)."""
    return [int(round(0.2 * fps)) + 1, int(round(0.5 * fps)) + 1]


def _frame_pattern(layout: LongVideoLayout) -> Tuple[str, 're.Pattern']:
    """The folder template of a layout's frames, and a pattern of its frame
    file names (``{subject}``, ``{clip}`` and ``{frame}`` as groups)."""
    folder, name = layout.frames.rsplit('/', 1)
    parts = re.split(r'(\{subject\}|\{clip\}|\{frame[^}]*\})', name)
    pattern = ''.join(
        '(?P<frame>[0-9]+)' if p.startswith('{frame') else
        '[^/]+' if p in ('{subject}', '{clip}') else re.escape(p)
        for p in parts)
    return folder, re.compile(pattern + '$')


def list_videos(layout: str, root: str) -> List[Dict]:
    """Every video folder of a long-video set under ``root``.

    Args:
        layout (str): ``casme2_long`` or ``samm_long``.
        root (str): The set's root (holding ``rawpic/`` or
            ``SAMM_longvideos/``).

    Returns:
        list[dict]: ``subject``, ``video`` (the folder), ``first_frame``,
        ``num_frames`` (from the lowest to the highest frame number) and
        ``video_file`` (relative to ``root``; None where there is none), in
        the order of the folders' names.

    Raises:
        FileNotFoundError: If ``root`` holds no frame folder of the layout.
        ValueError: If a video's frame numbers have a gap.
    """
    lay = get_long_layout(layout)
    folder_tmpl, pattern = _frame_pattern(lay)
    top = folder_tmpl.split('{')[0].rstrip('/')
    base = osp.join(root, top)
    if not osp.isdir(base):
        raise FileNotFoundError(
            f'{base}: not found; {root} is not the root of a '
            f'{lay.title} set (its frames are {lay.frames})')
    videos = []
    for subject, video, path in _video_folders(lay, root, folder_tmpl):
        numbers = sorted(int(m.group('frame')) for m in map(
            pattern.match, os.listdir(path)) if m)
        if not numbers:
            continue
        first, last = numbers[0], numbers[-1]
        if len(numbers) != last - first + 1:
            missing = sorted(set(range(first, last + 1)) - set(numbers))
            raise ValueError(
                f'{path}: frames {first}..{last} with {len(missing)} '
                f'missing (the first: {missing[0]}); a video needs all its '
                'frames')
        avi = lay.video_file.format(subject=subject, clip=video)
        videos.append(dict(
            subject=subject, video=video, first_frame=first,
            num_frames=len(numbers),
            video_file=avi if osp.isfile(osp.join(root, avi)) else None))
    if not videos:
        raise FileNotFoundError(f'{base}: holds no frame folder of the '
                                f'{lay.title} layout ({lay.frames})')
    return videos


def _video_folders(lay: LongVideoLayout, root: str, folder_tmpl: str):
    """``(subject, video, folder)`` of every video folder."""
    if '{subject}' in folder_tmpl:
        subject_part, clip_part = folder_tmpl.split('{clip}')[0].split(
            '{subject}')
        parent = osp.join(root, subject_part.rstrip('/'))
        for subject in sorted(os.listdir(parent)):
            folder = osp.join(root, folder_tmpl.split('{clip}')[0].format(
                subject=subject))
            if not osp.isdir(folder):
                continue
            for video in sorted(os.listdir(folder)):
                path = osp.join(folder, video)
                if osp.isdir(path):
                    yield subject, video, path
    else:  # SAMM: the subject is the folder's prefix
        parent = osp.join(root, folder_tmpl.split('{clip}')[0].rstrip('/'))
        for video in sorted(os.listdir(parent)):
            path = osp.join(parent, video)
            if osp.isdir(path):
                yield video.split('_')[0], video, path


def spotting_annotation(layout: str,
                        sheet: str,
                        root: str,
                        expression_type: str = 'micro',
                        classes: Optional[Sequence[str]] = None,
                        dataset: Optional[str] = None,
                        fps: Optional[float] = None
                        ) -> Tuple[List[Dict], Dict]:
    """The records and metainfo of a long-video set's spotting file.

    Args:
        layout (str): ``casme2_long`` or ``samm_long``.
        sheet (str): The set's interval sheet.
        root (str): The set's frame root (:func:`list_videos`).
        expression_type (str): ``micro`` (MEGC's micro-expression
            spotting), ``macro`` or ``all``.
        classes (Sequence[str], optional): The class names, in label order;
            by default the sheet's emotion words, sorted (``unlabelled`` for
            a sheet without them).
        dataset (str, optional): The records' ``dataset``; the layout's
            name by default.
        fps (float, optional): The videos' frame rate; the layout's (30 for
            CAS(ME)^2, 200 for SAMM) by default.

    Returns:
        tuple[list[dict], dict]: The records and the metainfo, ready for
        :func:`~mmaction_tsfmicro.annotations.write_annotation_file`.

    Raises:
        ValueError: For a row whose frames lie outside its video, or an
            emotion outside ``classes``.
        FileNotFoundError: For a row whose video folder is not found.
    """
    if expression_type not in EXPRESSION_TYPES:
        raise ValueError(f'expression_type {expression_type!r}: choose one '
                         f'of {", ".join(EXPRESSION_TYPES)}')
    lay = get_long_layout(layout)
    rows = (read_casme2_long_sheet(sheet) if lay.name == 'casme2_long' else
            read_samm_long_sheet(sheet))
    rows = [r for r in rows
            if expression_type in ('all', r['type'])]
    videos = list_videos(lay.name, root)
    by_key = {(v['subject'], v['video']): v for v in videos}
    folder_tmpl, _ = _frame_pattern(lay)
    words = [r['emotion'] or UNLABELLED for r in rows]
    classes = list(classes) if classes else sorted(set(words)) or [
        UNLABELLED]
    records = []
    for row, word in zip(rows, words):
        where = f"{sheet}: {row['name']}"
        video = row['video']
        if lay.name == 'casme2_long':
            subjects_dir = osp.join(root, folder_tmpl.split('{subject}')[0])
            video = find_video_folder(subjects_dir, row['subject'], video)
        entry = by_key.get((row['subject'], video))
        if entry is None:
            raise FileNotFoundError(
                f"{where}: no frame folder of video {row['subject']}/"
                f'{video} under {root}')
        last = entry['first_frame'] + entry['num_frames'] - 1
        if not entry['first_frame'] <= row['onset'] <= row['offset'] <= last:
            raise ValueError(
                f"{where}: frames {row['onset']}..{row['offset']} lie "
                f"outside video {row['subject']}/{video} (frames "
                f"{entry['first_frame']}..{last})")
        if word not in classes:
            raise ValueError(f'{where}: emotion {word!r} is not one of the '
                             f'classes ({", ".join(classes)})')
        record = dict(dataset=dataset or lay.name, subject=row['subject'],
                      clip=row['name'], clip_dir=video, onset=row['onset'],
                      apex=row['apex'], offset=row['offset'], emotion=word,
                      label=classes.index(word))
        if row.get('action_units'):
            record['action_units'] = row['action_units']
        records.append(record)
    fps = float(fps or lay.fps)
    metainfo = dict(
        dataset_name=dataset or lay.name, classes=classes, task='spotting',
        expression_type=expression_type, layout=lay.frames,
        layout_name=lay.name, fps=fps, micro_frames=micro_frames(fps),
        videos=videos)
    return records, metainfo
