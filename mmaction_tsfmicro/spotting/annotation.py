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
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..annotations.layouts import frame_dir, list_frames
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
    base = osp.join(root, lay.frames.split('{')[0].rstrip('/'))
    if not osp.isdir(base):
        raise FileNotFoundError(
            f'{base}: not found; {root} is not the root of a '
            f'{lay.title} set (its frames are {lay.frames})')
    videos = []
    for subject, video in _video_folders(lay, root):
        numbers = [n for n, _ in list_frames(lay.frames, root, subject,
                                              video)]
        if not numbers:
            continue
        first, last = numbers[0], numbers[-1]
        if len(numbers) != last - first + 1:
            missing = sorted(set(range(first, last + 1)) - set(numbers))
            raise ValueError(
                f'{frame_dir(lay.frames, root, subject, video)}: frames '
                f'{first}..{last} with {len(missing)} missing (the first: '
                f'{missing[0]}); a video needs all its frames')
        avi = lay.video_file.format(subject=subject, clip=video)
        videos.append(dict(
            subject=subject, video=video, first_frame=first,
            num_frames=len(numbers),
            video_file=avi if osp.isfile(osp.join(root, avi)) else None))
    if not videos:
        raise FileNotFoundError(f'{base}: holds no frame folder of the '
                                f'{lay.title} layout ({lay.frames})')
    return videos


def _video_folders(lay: LongVideoLayout,
                   root: str) -> Iterator[Tuple[str, str]]:
    """``(subject, video)`` of every video folder under ``root``; where the
    layout's path has no subject (SAMM), it is the folder's prefix."""
    template = lay.frames
    subjects: List[Optional[str]] = [None]
    if '{subject}' in template:
        subjects = sorted(os.listdir(osp.join(
            root, template.split('{subject}')[0])))
    for subject in subjects:
        # the folder that holds the video folders
        parent = osp.dirname(frame_dir(template, root, subject or '', '_'))
        if not osp.isdir(parent):
            continue
        for video in sorted(os.listdir(parent)):
            if osp.isdir(osp.join(parent, video)):
                yield subject or video.split('_')[0], video


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
    words = [r['emotion'] or UNLABELLED for r in rows]
    classes = list(classes) if classes else sorted(set(words)) or [
        UNLABELLED]
    records = []
    for row, word in zip(rows, words):
        where = f"{sheet}: {row['name']}"
        video = row['video']
        if lay.name == 'casme2_long':
            subjects_dir = osp.join(root, lay.frames.split('{subject}')[0])
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
