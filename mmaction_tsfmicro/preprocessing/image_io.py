"""Reading the frames the preprocessing jobs work on."""
import os.path as osp

import cv2
import numpy as np

from ..utils.images import truncation


class FrameReadError(ValueError):
    """A frame is missing, cut short or cannot be decoded; the message
    names the file."""


def read_image(path: str,
               flags: int = cv2.IMREAD_UNCHANGED,
               what: str = 'frame') -> np.ndarray:
    """Decode an image file as ``cv2.imread`` would, refusing files that
    are missing, truncated (:func:`~mmaction_tsfmicro.utils.images.
    truncation`) or undecodable.

    Args:
        path (str): The file.
        flags (int): ``cv2.imdecode`` flags. Defaults to
            ``cv2.IMREAD_UNCHANGED`` (gray stays gray).
        what (str): What the file is, for the message (``'apex frame
            5'``).

    Returns:
        np.ndarray: The decoded image.

    Raises:
        FrameReadError: ``missing <what>: <path>``, ``truncated <what>
            (<reason>): <path>`` or ``cannot decode <what>: <path>``.
    """
    if not osp.isfile(path):
        raise FrameReadError(f'missing {what}: {path}')
    with open(path, 'rb') as f:
        data = f.read()
    reason = truncation(data)
    if reason:
        raise FrameReadError(f'truncated {what} ({reason}): {path}')
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None or image.size == 0:
        raise FrameReadError(f'cannot decode {what}: {path}')
    return image
