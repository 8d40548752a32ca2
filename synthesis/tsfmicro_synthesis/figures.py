"""Pictures of a generated demo set: sample frames and apex - onset images.

Both figures show one clip of each class of one subject, read back from the
written frames (so they show exactly what a model gets).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.utils.fileio import read_json, write_bytes
from .action_units import CLASSES
from .builder import MANIFEST_FILE
from .clip_frames import LAYOUT

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _clips_by_class(manifest: Dict, subject: str) -> List[Dict]:
    for entry in manifest['subjects']:
        if entry['subject'] == subject:
            clips = {}
            for clip in entry['clips']:
                clips.setdefault(clip['emotion'], clip)
            return [clips[c] for c in CLASSES if c in clips]
    raise KeyError(f'subject {subject!r} not in the demo manifest; it has '
                   f"{[s['subject'] for s in manifest['subjects']]}")


def _read(root: str, subject: str, clip: Dict, key: str) -> np.ndarray:
    path = frame_path(LAYOUT, root, subject, clip['clip'], clip[key])
    image = cv2.imread(path)
    if image is None:
        raise FileNotFoundError(f'frame not found: {path}')
    return image


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    tile = tile.copy()
    cv2.rectangle(tile, (0, 0), (tile.shape[1], 16), (0, 0, 0), -1)
    cv2.putText(tile, text, (3, 12), _FONT, 0.38, (255, 255, 255), 1,
                cv2.LINE_AA)
    return tile


def _write_png(path: str, image: np.ndarray) -> None:
    ok, buf = cv2.imencode('.png', image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:
        raise RuntimeError(f'PNG encoding failed for {path}')
    write_bytes(path, buf.tobytes())


def sample_frames_figure(root: str, out_png: str,
                         subject: Optional[str] = None,
                         tile: int = 104) -> str:
    """Onset, apex and offset frames of one clip per class.

    Args:
        root (str): Demo set folder.
        out_png (str): Output PNG.
        subject (str, optional): Subject folder; the first one by default.
        tile (int): Side of each picture in pixels.

    Returns:
        str: ``out_png``.
    """
    manifest = read_json(osp.join(root, MANIFEST_FILE))
    subject = subject or manifest['subjects'][0]['subject']
    rows = []
    for clip in _clips_by_class(manifest, subject):
        row = []
        for key in ('onset_frame', 'apex_frame', 'offset_frame'):
            image = cv2.resize(_read(root, subject, clip, key), (tile, tile),
                               interpolation=cv2.INTER_AREA)
            name = key.split('_')[0]
            row.append(_label(image, f'{name} img{clip[key]}'))
        side = np.zeros((tile, tile, 3), np.uint8)
        cv2.putText(side, clip['emotion'], (4, tile // 2 - 4), _FONT, 0.45,
                    (255, 255, 255), 1, cv2.LINE_AA)
        cv2.putText(side, f"AU {clip['action_units']}", (4, tile // 2 + 14),
                    _FONT, 0.4, (200, 200, 200), 1, cv2.LINE_AA)
        rows.append(np.hstack([side] + row))
    _write_png(out_png, np.vstack(rows))
    return out_png


def difference_figure(root: str, out_png: str,
                      subjects: Optional[Sequence[str]] = None,
                      tile: int = 144, gain: float = 8.0) -> str:
    """Apex - onset difference of one clip per class (grey = no change).

    Args:
        root (str): Demo set folder.
        out_png (str): Output PNG.
        subjects (Sequence[str], optional): Subject folders, one row each;
            the first subject by default.
        tile (int): Side of each picture in pixels.
        gain (float): Contrast gain of the difference.

    Returns:
        str: ``out_png``.
    """
    manifest = read_json(osp.join(root, MANIFEST_FILE))
    subjects = list(subjects or [manifest['subjects'][0]['subject']])
    rows = []
    for subject in subjects:
        tiles = []
        for clip in _clips_by_class(manifest, subject):
            onset = _read(root, subject, clip, 'onset_frame')
            apex = _read(root, subject, clip, 'apex_frame')
            diff = cv2.cvtColor(apex, cv2.COLOR_BGR2GRAY).astype(
                np.float32) - cv2.cvtColor(onset, cv2.COLOR_BGR2GRAY)
            diff = cv2.resize(diff, (tile, tile),
                              interpolation=cv2.INTER_AREA)
            image = np.clip(128 + gain * diff, 0, 255).astype(np.uint8)
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
            tiles.append(
                _label(image, f"{clip['emotion']} AU {clip['action_units']}"))
        side = np.zeros((tile, 48, 3), np.uint8)
        cv2.putText(side, subject, (3, tile // 2 + 4), _FONT, 0.4,
                    (255, 255, 255), 1, cv2.LINE_AA)
        rows.append(np.hstack([side] + tiles))
    _write_png(out_png, np.vstack(rows))
    return out_png
