"""Rendering a clip: a face that moves an action-unit pattern over time.

A frame of the clip is made by one backward warp per source image
(:class:`.frame_sources.FrameSource`)::

    output pixel p
      -> q = P_t^-1 (p)            head pose (drift) at time t
      -> s = q - a_t D(s)          action units, solved by fixed point
      -> source pixel M^-1 (s)     face frame -> source file

where ``P_t`` is a small similarity (the head's drift), ``a_t`` the temporal
profile times the clip's amplitude (:mod:`.motion`), ``D`` the displacement
field of the clip's action units (:mod:`.action_units`) on the face-frame
landmarks, and ``M`` the similarity from the source image (or video frame)
to the face frame (:mod:`.geometry`). What a camera adds, lighting change
and sensor noise (:class:`Nuisance`), is applied to the result.
"""
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Tuple

import cv2
import numpy as np

from .action_units import displacement_field
from .frame_sources import FrameSource
from .geometry import face_centre, invert_affine, pose_matrix


@dataclass
class Nuisance:
    """What a camera adds: lighting change and sensor noise.

    Args:
        light_gain (float): Brightness change over the clip (e.g. 0.03 is
            3 % brighter at the end).
        light_tilt (float): Change of the left-right brightness gradient.
        noise_sigma (float): Standard deviation of the Gaussian sensor noise
            (grey levels, per channel and frame).
    """

    light_gain: float = 0.0
    light_tilt: float = 0.0
    noise_sigma: float = 0.0


def sensor_noise(rng: np.random.Generator, shape: Tuple[int, ...],
                 sigma: float) -> np.ndarray:
    """Zero-mean noise of standard deviation ``sigma``, cheaply.

    The sum of two uniform bytes (a triangular distribution) stands in for
    Gaussian sensor noise at a fifth of the cost of normal variates.

    Args:
        rng (np.random.Generator): Random source.
        shape (tuple[int]): Output shape.
        sigma (float): Standard deviation.

    Returns:
        np.ndarray: float32 noise.
    """
    u = rng.integers(0, 256, size=(2, ) + tuple(shape), dtype=np.uint8)
    # each byte has variance (256^2 - 1) / 12; their sum twice that
    scale = np.float32(sigma / np.sqrt((256.0**2 - 1) / 6))
    return (u[0].astype(np.float32) + u[1] - np.float32(255.0)) * scale


def _grid(size: int) -> Tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return xs, ys


def _affine_map(m: np.ndarray, xs: np.ndarray,
                ys: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    m = m.astype(np.float32)
    return (m[0, 0] * xs + m[0, 1] * ys + m[0, 2],
            m[1, 0] * xs + m[1, 1] * ys + m[1, 2])


def _inverse_displacement(
        field: np.ndarray, qx: np.ndarray, qy: np.ndarray,
        iterations: int = 2) -> Tuple[np.ndarray, np.ndarray]:
    """Solve ``s + F(s) = q`` for s by fixed-point iteration.

    The solution is found on every second pixel and its (smooth) offset
    ``s - q`` interpolated to full resolution.
    """
    h, w = qx.shape
    hx, hy = qx[::2, ::2], qy[::2, ::2]
    sx, sy = hx, hy
    for _ in range(iterations):
        f = cv2.remap(field, sx, sy, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        sx, sy = hx - f[..., 0], hy - f[..., 1]
    offset = cv2.resize(np.dstack([sx - hx, sy - hy]), (w, h),
                        interpolation=cv2.INTER_LINEAR)
    return qx + offset[..., 0], qy + offset[..., 1]


def render_frames(sources: Sequence[FrameSource], combination: str,
                  amplitude: np.ndarray, size: int,
                  au_weights: Optional[dict] = None,
                  side_weights: Tuple[float, float] = (1.0, 1.0),
                  nuisance: Optional[Nuisance] = None,
                  rng: Optional[np.random.Generator] = None,
                  field_per_frame: bool = False) -> Iterator[np.ndarray]:
    """Render the frames of a clip.

    Args:
        sources (Sequence[FrameSource]): One per frame.
        combination (str): AU codes joined by ``+``.
        amplitude (np.ndarray): (T,) displacement amplitude per frame, in
            pixels at the reference inter-ocular distance (profile times the
            clip's peak amplitude).
        size (int): Frame side.
        au_weights (dict, optional): Per-AU multipliers.
        side_weights (tuple[float, float]): Image-left / image-right
            multipliers.
        nuisance (Nuisance, optional): Lighting and noise; none by default.
        rng (np.random.Generator, optional): Noise source (needed when
            ``nuisance.noise_sigma > 0``).
        field_per_frame (bool): Recompute the AU field from each frame's
            landmarks (videos); otherwise from the first frame's (photos,
            whose face-frame landmarks do not change).

    Yields:
        np.ndarray: (size, size, 3) BGR uint8 frames.
    """
    nuisance = nuisance or Nuisance()
    if nuisance.noise_sigma > 0 and rng is None:
        raise ValueError('sensor noise needs a random generator')
    xs, ys = _grid(size)
    num = len(sources)
    field = None
    ramp = np.linspace(0.0, 1.0, num)
    ramp = ramp * ramp * (3 - 2 * ramp)  # smoothstep: slow lighting change
    tilt_x = (xs[0] / (size - 1) * 2 - 1)[None, :, None]
    centre = face_centre(sources[0].landmarks)
    for t, src in enumerate(sources):
        pose = pose_matrix(src.pose, centre)
        qx, qy = _affine_map(invert_affine(pose), xs, ys)
        a = float(amplitude[t])
        if a > 0:
            if field is None or field_per_frame:
                field = displacement_field(src.landmarks, combination,
                                           (size, size), au_weights,
                                           side_weights)
            sx, sy = _inverse_displacement(field * np.float32(a), qx, qy)
        else:
            sx, sy = qx, qy
        acc = None
        for image, weight, to_face in zip(src.images, src.weights,
                                          src.to_face):
            mx, my = _affine_map(invert_affine(to_face), sx, sy)
            warped = cv2.remap(image, mx, my, cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REFLECT101)
            part = warped.astype(np.float32) * np.float32(weight)
            acc = part if acc is None else acc + part
        gain = (1 + nuisance.light_gain * ramp[t]) * (
            1 + nuisance.light_tilt * ramp[t] * tilt_x)
        frame = acc * gain.astype(np.float32)
        if nuisance.noise_sigma > 0:
            frame += sensor_noise(rng, frame.shape, nuisance.noise_sigma)
        yield np.clip(np.rint(frame), 0, 255).astype(np.uint8)
