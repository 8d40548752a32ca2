"""Aligning whole long videos offline, as the streaming tool aligns them.

A spotting model trains on aligned frames; ``tools/stream.py`` aligns a
live video with :class:`.face_tracking.FaceTracker`, so the training
videos are aligned by the same tracker with the same settings
(``face_alignment`` of the config): :func:`align_video_task` reads a
video's frames (its frame folder in the set's layout, or its video file),
aligns them one by one and writes the crops in the same layout under
another root, atomically, with an ``alignment.json`` (the settings, each
frame's matrix and how it was found). ``tools/data/align_long_videos.py``
runs it over every video of a normalized spotting file.
"""
import os
import os.path as osp
import time
from typing import Dict, Iterator, List, Optional

import cv2
import numpy as np

from ...annotations.layouts import frame_path
from ...utils.fileio import atomic_dir, write_json
from ..image_io import read_image
from ..video import iter_frames
from .tracking import FaceTracker, NoFaceError

ALIGNMENT_FILE = 'alignment.json'
#: The tracker's keyword arguments a ``face_alignment`` dict may hold
#: besides the alignment target.
TRACKER_KEYS = ('detector', 'check_every', 'max_drift', 'max_error',
                'min_points')


def split_settings(face_alignment: Dict) -> Dict:
    """``face_alignment`` of a config as :class:`FaceTracker` arguments.

    Args:
        face_alignment (dict): ``size``, ``eye_y``, ``eye_dist``,
            ``nose_y``, ``use_nose`` (the target) and any of
            :data:`TRACKER_KEYS`.

    Returns:
        dict: ``target`` (dict) and the tracker keys given.
    """
    settings = dict(face_alignment)
    unknown = sorted(set(settings) - set(TRACKER_KEYS) - {
        'size', 'eye_y', 'eye_dist', 'nose_y', 'use_nose'})
    if unknown:
        raise KeyError(f'face_alignment: unknown keys {unknown}; allowed: '
                       'size, eye_y, eye_dist, nose_y, use_nose, '
                       f'{", ".join(TRACKER_KEYS)}')
    out = {k: settings.pop(k) for k in TRACKER_KEYS if k in settings}
    out['target'] = settings
    return out


def folder_frames(root: str, layout: str, subject: str, video: str,
                  first_frame: int, num_frames: int) -> Iterator[np.ndarray]:
    """The frames of a video folder in a layout, in order (BGR)."""
    for number in range(first_frame, first_frame + num_frames):
        path = frame_path(layout, root, subject, video, number)
        yield read_image(path, cv2.IMREAD_COLOR, f'frame {number}')


def align_frames(frames: Iterator[np.ndarray], tracker: FaceTracker,
                 what: str) -> Iterator:
    """Align frames in order; the first must show a face.

    Yields:
        TrackedFace: One per frame.

    Raises:
        NoFaceError: If the first frame shows no face.
    """
    tracker.reset()
    for i, frame in enumerate(frames):
        face = tracker.update(frame)
        if face is None:
            raise NoFaceError(f'{what}: no face found on frame {i} (the '
                              'first frame of a video must show the face)')
        yield face


def align_video_task(task: Dict) -> Dict:
    """Align one video and write its crops (a worker task).

    Args:
        task (dict): ``src``, ``dst`` (roots), ``layout`` (the frame-path
            template of both), ``video`` (an entry of the spotting file's
            ``metainfo.videos``: ``subject``, ``video``, ``num_frames``,
            ``first_frame``, ``video_file``), ``face_alignment`` (the
            settings), ``source`` (``'frames'`` or ``'video'``),
            ``jpeg_quality``.

    Returns:
        dict: ``key``, ``frames``, ``statuses`` (counts), ``seconds``.
    """
    t0 = time.perf_counter()
    entry, layout = task['video'], task['layout']
    subject, video = entry['subject'], entry['video']
    first, count = int(entry.get('first_frame', 1)), int(entry['num_frames'])
    key = f'{subject}/{video}'
    if task.get('source', 'frames') == 'video':
        if not entry.get('video_file'):
            raise FileNotFoundError(f'{key}: the spotting file names no '
                                    'video file')
        frames = iter_frames(osp.join(task['src'], entry['video_file']))
    else:
        frames = folder_frames(task['src'], layout, subject, video, first,
                               count)
    settings = split_settings(task['face_alignment'])
    out_dir = osp.dirname(frame_path(layout, task['dst'], subject, video,
                                     first))
    statuses: Dict[str, int] = {}
    matrices: List[List[float]] = []
    with FaceTracker(**settings) as tracker, atomic_dir(out_dir) as work:
        n = 0
        for face in align_frames(frames, tracker, key):
            number = first + n
            name = osp.basename(frame_path(layout, task['dst'], subject,
                                           video, number))
            ok, buf = cv2.imencode(
                '.jpg', face.image,
                [cv2.IMWRITE_JPEG_QUALITY, int(task.get('jpeg_quality',
                                                        95))])
            if not ok:
                raise RuntimeError(f'{key}: JPEG encoding failed at frame '
                                   f'{number}')
            with open(osp.join(work, name), 'wb') as f:
                f.write(buf.tobytes())
            statuses[face.status] = statuses.get(face.status, 0) + 1
            matrices.append([round(float(v), 5) for v in face.matrix.ravel()])
            n += 1
            if n == count:
                break
        if n < count:
            raise ValueError(f'{key}: {n} frames read, the spotting file '
                             f'says {count}')
        write_json(osp.join(work, ALIGNMENT_FILE),
                   dict(video=key, face_alignment=task['face_alignment'],
                        source=task.get('source', 'frames'),
                        first_frame=first, num_frames=n, statuses=statuses,
                        matrices=matrices), indent=None)
    return dict(key=key, frames=n, statuses=statuses,
                seconds=time.perf_counter() - t0)


def is_aligned(dst: str, layout: str, entry: Dict) -> bool:
    """Whether a video's crops are complete under ``dst``."""
    folder = osp.dirname(frame_path(layout, dst, entry['subject'],
                                    entry['video'],
                                    int(entry.get('first_frame', 1))))
    return osp.isfile(osp.join(folder, ALIGNMENT_FILE))


def aligned_videos(dst: str) -> Optional[List[str]]:
    """Folders under ``dst`` holding an ``alignment.json`` (for tests)."""
    found = []
    for folder, _, files in os.walk(dst):
        if ALIGNMENT_FILE in files:
            found.append(osp.relpath(folder, dst))
    return sorted(found)
