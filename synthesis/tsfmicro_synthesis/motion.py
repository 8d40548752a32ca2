"""How a clip changes over time: the expression's intensity and head drift.

The expression follows :func:`temporal_profile` (one peak, at the apex);
a still photo's head drifts along :func:`synthetic_drift`, smooth random
curves (:func:`smooth_trajectory`) of the pose parameters of
:func:`.geometry.pose_matrix`.
"""
import numpy as np

from .geometry import pose_extent


def temporal_profile(num_frames: int, onset: int, apex: int,
                     offset: int) -> np.ndarray:
    """Intensity of the expression in each frame of a clip.

    Zero up to ``onset``, rising as ``sin^2`` to 1 at ``apex``, falling as
    ``cos^2`` to 0 at ``offset``, zero after: one peak, at the apex.

    Args:
        num_frames (int): Frames in the clip.
        onset (int): Index of the onset frame.
        apex (int): Index of the apex frame.
        offset (int): Index of the offset frame.

    Returns:
        np.ndarray: (num_frames,) float64 in [0, 1].
    """
    if not 0 <= onset < apex < offset < num_frames:
        raise ValueError('need 0 <= onset < apex < offset < num_frames, got '
                         f'{onset}, {apex}, {offset}, {num_frames}')
    t = np.arange(num_frames, dtype=np.float64)
    rise = np.sin(0.5 * np.pi * (t - onset) / (apex - onset))**2
    fall = np.cos(0.5 * np.pi * (t - apex) / (offset - apex))**2
    out = np.where(t <= apex, rise, fall)
    out[(t <= onset) | (t >= offset)] = 0.0
    return out


def smooth_trajectory(rng: np.random.Generator, num_frames: int,
                      dims: int = 4, harmonics: int = 3) -> np.ndarray:
    """Random smooth curves that start at 0 (low-frequency sine sums).

    Args:
        rng (np.random.Generator): Random source.
        num_frames (int): Samples.
        dims (int): Number of curves.
        harmonics (int): Sine harmonics per curve.

    Returns:
        np.ndarray: (num_frames, dims) with row 0 equal to 0 and each curve
        scaled to a maximum absolute value of 1.
    """
    u = np.linspace(0.0, 1.0, num_frames)[:, None, None]
    j = np.arange(1, harmonics + 1)[None, None, :]
    amp = rng.normal(size=(1, dims, harmonics)) / j
    phase = rng.uniform(0, 2 * np.pi, size=(1, dims, harmonics))
    waves = np.sin(np.pi * j * u / 2 + phase) - np.sin(phase)
    curves = (amp * waves).sum(-1)
    peak = np.abs(curves).max(0, keepdims=True)
    return curves / np.where(peak > 0, peak, 1.0)


def synthetic_drift(rng: np.random.Generator, num_frames: int,
                    max_px: float, radius: float) -> np.ndarray:
    """Slow head drift of a still photo: translation, rotation, scale.

    Args:
        rng (np.random.Generator): Random source.
        num_frames (int): Frames.
        max_px (float): Largest displacement of a face point (within
            ``radius`` of the centre) over the clip.
        radius (float): Face radius in pixels.

    Returns:
        np.ndarray: (num_frames, 4) pose parameters, zero at frame 0.
    """
    curves = smooth_trajectory(rng, num_frames)
    # share of translation / rotation / scale in the motion
    share = rng.dirichlet((4.0, 1.5, 1.0))
    params = np.stack([curves[:, 0] * share[0] * np.cos(rng.uniform(0, 6.3)),
                       curves[:, 1] * share[0],
                       curves[:, 2] * share[1] / radius,
                       curves[:, 3] * share[2] / radius], axis=1)
    extent = pose_extent(params, radius).max()
    return params * (max_px / extent if extent > 0 else 0.0)
