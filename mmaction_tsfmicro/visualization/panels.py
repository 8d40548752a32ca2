"""The panels of a frame-pair picture: the onset, the apex, their difference.

A sample's input is ``(1, 3, 2, H, W)`` (``FormatShape('NCTHW')``), index 0
of T the onset frame, index 1 the apex frame. The frames are taken as they
are given: 0-255 values (what the pipeline packs, uint8 or float), or, when
``mean``/``std`` are given, normalized values that are mapped back with
them. Nothing else is undone; values that are still out of 0-255 are
stretched to it (one map for both frames, so the difference keeps its sign
and its proportions) and the panel says so.
"""
import functools
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

#: Colour map of the signed difference: blue where the apex is darker than
#: the onset, white where they are equal, red where it is brighter.
DIFF_COLORMAP = 'RdBu_r'
#: Entries of the difference colour table; the middle one is zero.
LUT_SIZE = 255


def _array(inputs) -> np.ndarray:
    """A tensor or an array as a float64 numpy array (on the CPU)."""
    if hasattr(inputs, 'detach'):  # a torch tensor, on any device
        inputs = inputs.detach().cpu().numpy()
    return np.asarray(inputs, dtype=np.float64)


def frame_pair(
        inputs,
        mean: Optional[Sequence[float]] = None,
        std: Optional[Sequence[float]] = None,
        channel_order: str = 'rgb') -> Tuple[np.ndarray, np.ndarray, bool]:
    """The onset and apex frames of one sample, ``(H, W, 3)`` RGB, 0-255.

    Args:
        inputs (Tensor | np.ndarray): ``(K, C, 2, H, W)`` (the first of the
            K views is taken) or ``(C, 2, H, W)``, C = 3 (or 1, grey).
        mean (Sequence[float], optional): Per-channel mean the values were
            normalized with; with ``std``, ``x * std + mean`` is shown.
        std (Sequence[float], optional): Per-channel std, with ``mean``.
        channel_order (str): ``'rgb'`` or ``'bgr'``, the order of C.

    Returns:
        tuple: ``(onset, apex, stretched)``; the frames are float arrays
        (not rounded, so the difference is the model's), ``stretched``
        whether values out of 0-255 were stretched to it.
    """
    x = _array(inputs)
    if x.ndim == 5:
        x = x[0]
    if x.ndim != 4 or x.shape[1] != 2 or x.shape[0] not in (1, 3):
        raise ValueError('a micro-expression sample is (1, 3, 2, H, W) '
                         f'(onset, apex), got shape {tuple(x.shape)}')
    if (mean is None) != (std is None):
        raise ValueError('give both mean and std of the normalization, or '
                         'neither')
    if mean is not None:
        shape = (-1, 1, 1, 1)
        x = x * _array(std).reshape(shape) + _array(mean).reshape(shape)
    if x.shape[0] == 1:
        x = np.repeat(x, 3, axis=0)
    if channel_order == 'bgr':
        x = x[::-1]
    elif channel_order != 'rgb':
        raise ValueError(f"channel_order must be 'rgb' or 'bgr', got "
                         f'{channel_order!r}')
    low, high = float(x.min()), float(x.max())
    # a rounding error of a float pipeline is no reason to stretch
    stretched = low < -0.5 or high > 255.5
    if stretched:
        x = (x - low) * (255. / max(high - low, 1e-12))
    x = np.clip(x, 0., 255.)
    return (np.ascontiguousarray(x[:, 0].transpose(1, 2, 0)),
            np.ascontiguousarray(x[:, 1].transpose(1, 2, 0)), stretched)


def signed_difference(onset: np.ndarray, apex: np.ndarray) -> np.ndarray:
    """``apex - onset``, averaged over the colour channels: ``(H, W)``."""
    return (apex - onset).mean(axis=2)


def stretch_range(diff: np.ndarray, min_range: float = 4.) -> float:
    """The difference that gets the full colour.

    The 99.5th percentile of ``|diff|`` suits motion over a large area; a
    quarter of the largest ``|diff|`` keeps a motion of a few pixels (too
    few for the percentile) visible; ``min_range`` keeps the noise of
    frames that barely differ pale.

    Args:
        diff (np.ndarray): A signed difference, in 0-255 levels.
        min_range (float): The smallest range. Defaults to 4 levels.

    Returns:
        float: The range ``r``: ``diff = +r`` is full red, ``-r`` full blue.
    """
    magnitude = np.abs(diff)
    return float(
        max(np.percentile(magnitude, 99.5),
            magnitude.max() / 4., min_range))


@functools.lru_cache(maxsize=1)
def _diff_lut() -> np.ndarray:
    """The colour table, ``(LUT_SIZE, 3)`` uint8 RGB, zero in the middle."""
    from matplotlib import colormaps  # the table only: no pyplot
    rgba = colormaps[DIFF_COLORMAP](np.linspace(0., 1., LUT_SIZE))
    return np.round(rgba[:, :3] * 255).astype(np.uint8)


def colour_difference(diff: np.ndarray, value_range: float) -> np.ndarray:
    """A signed difference as an RGB picture (``(H, W, 3)`` uint8).

    Args:
        diff (np.ndarray): ``(H, W)`` signed difference.
        value_range (float): The difference of full colour (see
            :func:`stretch_range`); larger ones saturate.

    Returns:
        np.ndarray: Exactly the middle colour where ``diff`` is 0.
    """
    half = LUT_SIZE // 2
    index = np.rint(half + half * np.clip(diff / value_range, -1., 1.))
    return _diff_lut()[index.astype(np.int64)]


def resize_panel(image: np.ndarray, height: int) -> np.ndarray:
    """Scale a panel to ``height`` rows, keeping its aspect ratio.

    Enlarging uses nearest neighbours, so that each pixel of a small frame
    (and of its difference) stays a visible square; shrinking averages.
    """
    h, w = image.shape[:2]
    width = max(1, int(round(w * height / h)))
    interpolation = cv2.INTER_NEAREST if height >= h else cv2.INTER_AREA
    return cv2.resize(image, (width, height), interpolation=interpolation)
