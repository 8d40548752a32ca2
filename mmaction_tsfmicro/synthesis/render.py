"""Rendering a clip: a face that moves an action-unit pattern over time.

Coordinates. Each clip has an output frame of ``size`` x ``size`` pixels and
a *face frame* of the same size: the face at rest, upright, with the eyes
:data:`EYE_DIST` of the width apart on the line :data:`EYE_Y`. A frame of
the clip is made by one backward warp per source image::

    output pixel p
      -> q = P_t^-1 (p)            head pose (drift) at time t
      -> s = q - a_t D(s)          action units, solved by fixed point
      -> source pixel M^-1 (s)     face frame -> source file

where ``P_t`` is a small similarity (the head's drift), ``a_t`` the temporal
profile times the clip's amplitude, ``D`` the displacement field of the
clip's action units (:mod:`.action_units`) on the face-frame landmarks, and
``M`` the similarity from the source image (or video frame) to the face
frame. Lighting change and sensor noise are applied to the result.

Photos give one source image and a synthetic drift. Videos give the
person's real consecutive frames: each is stabilized onto the window's first
frame from its landmarks (``M`` differs per frame), their real head motion
is put back scaled to the clip's drift, their real small face movements
stay, and the action units follow the landmarks tracked in every frame.
Videos are played slower than recorded (frames in between are cross-fades of
the two nearest frames), bringing 24-30 fps footage near the 100-200 fps of
micro-expression cameras.
"""
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..preprocessing.alignment import similarity_lstsq as similarity_fit

from .action_units import (ACTION_UNITS, displacement_field, eye_centres,
                           face_axes)

#: Inter-ocular distance in the face frame, as a fraction of its width.
EYE_DIST = 0.32
#: Height of the eye line in the face frame, as a fraction of its height.
EYE_Y = 0.42
#: Mesh indices used to stabilize video frames (eye corners, nose ridge).
STABLE_POINTS = (33, 133, 362, 263, 168, 6, 197, 195, 5, 4)


# ----------------------------------------------------------------- geometry
def apply_affine(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (2, 3) affine matrix to (..., 2) points."""
    return points @ m[:, :2].T + m[:, 2]


def invert_affine(m: np.ndarray) -> np.ndarray:
    """Invert a (2, 3) affine matrix."""
    (a, b), (c, d) = m[:, :2]
    det = a * d - b * c
    lin = np.array([[d, -b], [-c, a]]) / det
    return np.concatenate([lin, -lin @ m[:, 2:]], axis=1)


def compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the affine ``a o b`` (apply ``b`` first)."""
    lin = a[:, :2] @ b[:, :2]
    return np.concatenate([lin, a[:, :2] @ b[:, 2:] + a[:, 2:]], axis=1)


def pose_matrix(params: Sequence[float], centre: np.ndarray) -> np.ndarray:
    """Similarity of a head pose ``(tx, ty, angle, log_scale)`` about a point.

    Args:
        params (Sequence[float]): Translation (px), rotation (rad), log of
            the scale.
        centre (np.ndarray): (2,) centre of rotation and scaling.

    Returns:
        np.ndarray: (2, 3) matrix ``x -> s R (x - c) + c + t``.
    """
    tx, ty, angle, log_s = params
    s = np.exp(log_s)
    rot = s * np.array([[np.cos(angle), -np.sin(angle)],
                        [np.sin(angle), np.cos(angle)]])
    shift = np.asarray(centre) + (tx, ty) - rot @ np.asarray(centre)
    return np.concatenate([rot, shift[:, None]], axis=1)


def pose_params(m: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pose_matrix` for a similarity matrix."""
    a, b = m[0, 0], m[1, 0]
    scale = np.hypot(a, b)
    angle = np.arctan2(b, a)
    t = apply_affine(m, np.asarray(centre)) - centre
    return np.array([t[0], t[1], angle, np.log(scale)])


def pose_extent(params: np.ndarray, radius: float) -> np.ndarray:
    """Bound on how far a pose moves points within ``radius`` of its centre.

    Args:
        params (np.ndarray): (..., 4) pose parameters.
        radius (float): Radius in pixels.

    Returns:
        np.ndarray: (...,) bound in pixels.
    """
    params = np.asarray(params)
    return (np.hypot(params[..., 0], params[..., 1]) +
            radius * (np.abs(params[..., 2]) + np.abs(params[..., 3])))


def face_frame_transform(points: np.ndarray, size: int,
                         jitter: Sequence[float] = (0, 0, 0, 0)) -> np.ndarray:
    """Similarity from an image to the face frame, from its landmarks.

    Args:
        points (np.ndarray): (478, 2) landmarks in the image.
        size (int): Side of the face frame.
        jitter (Sequence[float]): Framing change ``(dx, dy, angle,
            log_scale)`` about the frame centre (a recording's own framing).

    Returns:
        np.ndarray: (2, 3) matrix image -> face frame.
    """
    eyes = eye_centres(points)
    target = np.array([[(0.5 - EYE_DIST / 2) * size, EYE_Y * size],
                       [(0.5 + EYE_DIST / 2) * size, EYE_Y * size]])
    m = similarity_fit(eyes, target)
    centre = np.array([size / 2, size / 2])
    return compose(pose_matrix(jitter, centre), m)


# ----------------------------------------------------------------- timing
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


# ----------------------------------------------------------------- sources
@dataclass
class FrameSource:
    """Where one output frame takes its pixels from.

    Args:
        images (list[np.ndarray]): Source images (BGR uint8).
        weights (list[float]): Blend weight of each image.
        to_face (list[np.ndarray]): (2, 3) similarity of each image onto
            the face frame.
        landmarks (np.ndarray): (478, 2) face-frame landmarks at this time
            (the face at rest, before action units and head pose).
        pose (np.ndarray): (4,) head pose parameters about the face centre.
    """

    images: List[np.ndarray]
    weights: List[float]
    to_face: List[np.ndarray]
    landmarks: np.ndarray
    pose: np.ndarray


def prepare_photo(image: np.ndarray, points: np.ndarray, size: int
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Crop a photo around the face and scale it near the frame's scale.

    Rendering then samples it at about 1:1, so large photos are filtered
    (area averaging) instead of aliased, and small ones are upscaled once.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        size (int): Frame side.

    Returns:
        tuple: The prepared image and its landmarks.
    """
    _, _, iod = face_axes(points)
    scale = EYE_DIST * size / iod
    centre = eye_centres(points).mean(0)
    half = 2.8 * iod
    h, w = image.shape[:2]
    x0, y0 = int(max(0, np.floor(centre[0] - half))), int(
        max(0, np.floor(centre[1] - half)))
    x1, y1 = int(min(w, np.ceil(centre[0] + half))), int(
        min(h, np.ceil(centre[1] + half)))
    crop = image[y0:y1, x0:x1]
    out_w = max(1, int(round((x1 - x0) * scale)))
    out_h = max(1, int(round((y1 - y0) * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(crop, (out_w, out_h), interpolation=interp)
    sx, sy = out_w / (x1 - x0), out_h / (y1 - y0)
    pts = (np.asarray(points, np.float64) - (x0, y0) + 0.5) * (sx, sy) - 0.5
    return resized, pts


def photo_sources(image: np.ndarray, points: np.ndarray, size: int,
                  num_frames: int, drift: np.ndarray,
                  jitter: Sequence[float]) -> List[FrameSource]:
    """Frame sources of a clip made from one photo.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        size (int): Frame side.
        num_frames (int): Frames of the clip.
        drift (np.ndarray): (num_frames, 4) synthetic head pose.
        jitter (Sequence[float]): Framing jitter of the clip.

    Returns:
        list[FrameSource]: One per frame.
    """
    m = face_frame_transform(points, size, jitter)
    lms = apply_affine(m, points)
    return [FrameSource([image], [1.0], [m], lms, drift[t])
            for t in range(num_frames)]


def expression_regions() -> Dict[str, List[int]]:
    """Mesh indices of each face region that the action units move.

    Returns:
        dict[str, list[int]]: Region name -> sorted landmark indices (the
        anchors of the AUs of that region, both halves).
    """
    regions: Dict[str, set] = {}
    for au in ACTION_UNITS.values():
        idx = regions.setdefault(au.region, set())
        for anchor in au.anchors:
            idx.update(anchor.left)
            idx.update(anchor.right)
    return {name: sorted(idx) for name, idx in sorted(regions.items())}


def window_calmness(points: np.ndarray, length: int) -> np.ndarray:
    """How much a face deforms within each window of a landmark track.

    For every start ``s``, each frame of ``s .. s + length - 1`` is fitted
    onto frame ``s`` by a similarity of the stable points (eyes, nose), so
    rigid head motion does not count. The score is the largest mean
    residual of the landmarks of one expression region
    (:func:`expression_regions`: brows, eyes, cheeks, nose, upper lip, mouth
    corners, chin) over the window, in inter-ocular distances.

    Args:
        points (np.ndarray): (N, 478, 2) landmarks, NaN where missing.
        length (int): Window length in frames.

    Returns:
        np.ndarray: (N - length + 1,) scores; inf for windows with a
        missing face.
    """
    n = len(points)
    if n < length:
        return np.full(0, np.inf)
    stable = list(STABLE_POINTS)
    regions = list(expression_regions().values())
    ex = points[:, 362] + points[:, 263] - points[:, 33] - points[:, 133]
    iod = np.hypot(ex[:, 0], ex[:, 1]) / 2
    scores = np.full(n - length + 1, np.inf)
    for s in range(n - length + 1):
        win = points[s:s + length]
        if np.isnan(win).any():
            continue
        ref = np.broadcast_to(win[0], win.shape)
        m = similarity_fit(win[:, stable], ref[:, stable])
        fitted = np.einsum('tij,tkj->tki', m[:, :, :2], win) + m[:, None, :, 2]
        res = np.linalg.norm(fitted - win[0], axis=-1)  # (length, 478)
        worst = max(res[:, idx].mean(1).max() for idx in regions)
        scores[s] = worst / iod[s]
    return scores


def video_sources(frames: dict, points: np.ndarray, start: int,
                  span: int, size: int, num_frames: int, max_px: float,
                  jitter: Sequence[float]) -> List[FrameSource]:
    """Frame sources of a clip made from consecutive video frames.

    Args:
        frames (dict[int, np.ndarray]): Decoded frames by index (at least
            ``start .. start + span - 1``).
        points (np.ndarray): (N, 478, 2) smoothed landmark track.
        start (int): First real frame of the window.
        span (int): Real frames in the window (>= 2).
        size (int): Frame side.
        num_frames (int): Output frames (the window is played slower).
        max_px (float): Largest head displacement kept (the real head motion
            is scaled down to it, never up).
        jitter (Sequence[float]): Framing jitter of the clip.

    Returns:
        list[FrameSource]: One per output frame.
    """
    idx = np.arange(start, start + span)
    stable = list(STABLE_POINTS)
    ref = points[start]
    to_face = face_frame_transform(ref, size, jitter)
    from_face = invert_affine(to_face)
    centre = face_centre(apply_affine(to_face, ref))
    # S_k: real frame k -> reference frame; its inverse is the real motion
    stab = similarity_fit(points[idx][:, stable],
                          np.broadcast_to(ref[stable], (span, len(stable), 2)))
    real = np.stack([
        pose_params(compose(to_face, compose(invert_affine(s), from_face)),
                    centre) for s in stab])
    radius = 1.2 * EYE_DIST * size
    extent = pose_extent(real, radius).max()
    beta = min(1.0, max_px / extent) if extent > 0 else 0.0
    m_face = [compose(to_face, s) for s in stab]
    lms_face = [apply_affine(m, points[k]) for m, k in zip(m_face, idx)]
    out = []
    for t in range(num_frames):
        tau = t * (span - 1) / max(num_frames - 1, 1)
        k = min(int(np.floor(tau)), span - 2)
        alpha = tau - k
        pose = ((1 - alpha) * real[k] + alpha * real[k + 1]) * beta
        lms = (1 - alpha) * lms_face[k] + alpha * lms_face[k + 1]
        if alpha < 1e-6:
            src = FrameSource([frames[idx[k]]], [1.0], [m_face[k]], lms, pose)
        elif alpha > 1 - 1e-6:
            src = FrameSource([frames[idx[k + 1]]], [1.0], [m_face[k + 1]],
                              lms, pose)
        else:
            src = FrameSource([frames[idx[k]], frames[idx[k + 1]]],
                              [1 - alpha, alpha], [m_face[k], m_face[k + 1]],
                              lms, pose)
        out.append(src)
    return out


def face_centre(landmarks: np.ndarray) -> np.ndarray:
    """Centre of head rotation in the face frame: mid-way eyes to nose."""
    return 0.5 * (eye_centres(landmarks).mean(0) + landmarks[1])


# ----------------------------------------------------------------- frames
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
