"""A tiny generated micro-expression data set in a real frame layout.

Each subject has a smooth random face-like background; each clip adds a
blob whose position depends on the class, growing from the onset to the
apex and fading to the offset, plus per-frame noise. Models can learn it in
a few epochs, which makes it useful for tests of training, evaluation and
LOSO that must finish in seconds. It is not a stand-in for real faces: the
demo data set (``tools/data/make_demo_dataset.py``) is made from real ones.
"""
import os
import os.path as osp
from typing import Dict, List, Sequence

import cv2
import numpy as np

from ..annotations import CLASS_SETS, validate_annotation
from ..annotations.layouts import frame_path
from ..utils.fileio import write_json

DEFAULT_CLASSES = ('happiness', 'disgust', 'repression', 'surprise', 'others')


def _blob(size: int, cx: float, cy: float, sigma: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    return np.exp(-((xx - cx)**2 + (yy - cy)**2) / (2 * sigma**2))


def make_synthetic_dataset(root: str,
                           subjects: Sequence[str] = ('sub01', 'sub02',
                                                      'sub03'),
                           clips_per_class: int = 1,
                           classes: Sequence[str] = DEFAULT_CLASSES,
                           num_frames: int = 9,
                           size: int = 32,
                           layout: str = 'casme2',
                           dataset: str = 'casme2',
                           amplitude: float = 60.,
                           seed: int = 0,
                           ann_name: str = 'annotations.json') -> str:
    """Write frame folders and a normalized annotation file.

    Args:
        root (str): Output folder; frames go under it in ``layout``.
        subjects (sequence[str]): Subject folder names.
        clips_per_class (int): Clips of each class per subject.
        classes (sequence[str]): Class names (the labels index them).
        num_frames (int): Frames per clip (onset is frame 1, apex the
            middle one, offset the last).
        size (int): Frame height and width.
        layout (str): A frame layout name or template.
        dataset (str): The ``dataset`` field of the records.
        amplitude (float): Peak brightness of the class blob at the apex.
        seed (int): Random seed.
        ann_name (str): File name of the annotation, written in ``root``.

    Returns:
        str: Path of the annotation file.
    """
    rng = np.random.default_rng(seed)
    onset, apex, offset = 1, 1 + num_frames // 2, num_frames
    # class c puts its blob on a circle, at angle 2*pi*c/C
    angles = 2 * np.pi * np.arange(len(classes)) / len(classes)
    centres = [(size / 2 + size / 4 * np.cos(a),
                size / 2 + size / 4 * np.sin(a)) for a in angles]
    records: List[Dict] = []
    for subject in subjects:
        base = cv2.GaussianBlur(
            rng.uniform(60, 200, (size, size, 3)).astype(np.float32), (0, 0),
            size / 8)
        for label, name in enumerate(classes):
            blob = _blob(size, *centres[label], sigma=size / 10)[..., None]
            for k in range(clips_per_class):
                clip = f'EP{label:02d}_{k:02d}'
                for frame in range(onset, offset + 1):
                    if frame <= apex:
                        w = (frame - onset) / max(apex - onset, 1)
                    else:
                        w = (offset - frame) / max(offset - apex, 1)
                    img = base + amplitude * w * blob + rng.normal(
                        0, 2, base.shape)
                    path = frame_path(layout, root, subject, clip, frame)
                    os.makedirs(osp.dirname(path), exist_ok=True)
                    cv2.imwrite(path, np.clip(img, 0, 255).astype(np.uint8))
                records.append(
                    dict(
                        dataset=dataset,
                        subject=subject,
                        clip=clip,
                        onset=onset,
                        apex=apex,
                        offset=offset,
                        emotion=name,
                        label=label,
                        action_units=''))
    metainfo = dict(dataset_name=dataset, classes=list(classes))
    # the file names a class set only where its classes are one's
    for cs in CLASS_SETS.values():
        if list(cs.classes) == list(classes) and dataset in cs.datasets:
            metainfo['class_set'] = cs.name
            break
    ann = dict(metainfo=metainfo, data_list=records)
    ann_file = osp.join(root, ann_name)
    validate_annotation(ann, ann_file)
    write_json(ann_file, ann)
    return ann_file
