"""Rendering a demo long video: a face at rest, with events, for seconds.

A :class:`.long_video_plans.LongVideoPlan` becomes frames in three layers:

* **head motion** (:func:`head_motion`): a slow random drift over the whole
  video (:func:`.motion.synthetic_drift`) plus the plan's quick small moves
  (a smooth step to a new pose, or out and back);
* **events**: each expression or blink is rendered by the demo's renderer
  (:func:`.render.render_frames`, the AU displacement field scaled by the
  temporal profile of :func:`.motion.temporal_profile`), the frames between
  events with no field at all;
* **camera** (:func:`camera_frames`): a slow brightness and left-right
  gradient change over the whole video, and sensor noise.

:func:`render_long_video` yields the frames (BGR uint8) one by one, so a
video of any length is rendered in constant memory.
"""
from typing import Iterator, List, Tuple

import numpy as np

from .frame_sources import photo_sources, prepare_photo
from .geometry import face_radius
from .long_video_plans import LongVideoPlan
from .motion import smooth_trajectory, synthetic_drift, temporal_profile
from .render import render_frames, sensor_noise


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3 - 2 * u)


def head_motion(plan: LongVideoPlan, size: int,
                rng: np.random.Generator) -> np.ndarray:
    """The head pose of every frame: slow drift plus the plan's moves.

    Args:
        plan (LongVideoPlan): The video.
        size (int): Frame side.
        rng (np.random.Generator): Source of the drift.

    Returns:
        np.ndarray: (num_frames, 4) pose parameters ``(tx, ty, angle,
        log_scale)`` of :func:`.geometry.pose_matrix`, 0 at frame 0.
    """
    n = plan.num_frames
    pose = synthetic_drift(rng, n, plan.drift_px, face_radius(size))
    t = np.arange(n, dtype=np.float64)
    for move in plan.moves:
        u = (t - move['start']) / move['frames']
        if move['back']:
            shape = np.sin(np.pi * np.clip(u, 0.0, 1.0))**2
        else:
            shape = _smoothstep(u)
        pose += shape[:, None] * np.asarray(move['pose'], np.float64)
    return pose


def event_segments(plan: LongVideoPlan) -> List[Tuple[int, int, object]]:
    """The video cut into ``(start, stop, event or None)`` pieces."""
    pieces, cursor = [], 0
    for event in plan.events:
        if event.onset > cursor:
            pieces.append((cursor, event.onset, None))
        pieces.append((event.onset, event.offset + 1, event))
        cursor = event.offset + 1
    if cursor < plan.num_frames:
        pieces.append((cursor, plan.num_frames, None))
    return pieces


def camera_frames(frames: Iterator[np.ndarray], plan: LongVideoPlan,
                  rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Add slow lighting change and sensor noise to rendered frames.

    Args:
        frames (Iterator[np.ndarray]): BGR uint8 frames, in order.
        plan (LongVideoPlan): The video (``light``, ``noise_sigma``).
        rng (np.random.Generator): Source of the lighting curves and noise.

    Yields:
        np.ndarray: The frames as a camera records them (BGR uint8).
    """
    curves = smooth_trajectory(rng, plan.num_frames, dims=2, harmonics=2)
    gain = 1 + plan.light[0] * curves[:, 0]
    tilt = plan.light[1] * curves[:, 1]
    ramp_x = None
    for t, frame in enumerate(frames):
        if ramp_x is None:
            w = frame.shape[1]
            ramp_x = (np.arange(w, dtype=np.float32) / (w - 1) * 2 -
                      1)[None, :, None]
        out = frame.astype(np.float32) * np.float32(gain[t]) * (
            1 + np.float32(tilt[t]) * ramp_x)
        if plan.noise_sigma > 0:
            out += sensor_noise(rng, out.shape, plan.noise_sigma)
        yield np.clip(np.rint(out), 0, 255).astype(np.uint8)


def render_long_video(image: np.ndarray, points: np.ndarray,
                      plan: LongVideoPlan, size: int) -> Iterator[np.ndarray]:
    """The frames of one long video made from a face photo.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        plan (LongVideoPlan): The video.
        size (int): Frame side.

    Yields:
        np.ndarray: (size, size, 3) BGR uint8 frames, ``plan.num_frames``
        of them.
    """
    rng = np.random.default_rng(plan.render_seed)
    image, points = prepare_photo(image, np.asarray(points, np.float64),
                                  size)
    pose = head_motion(plan, size, rng)
    sources = photo_sources(image, points, size, plan.num_frames, pose,
                            plan.jitter)

    def rendered() -> Iterator[np.ndarray]:
        for start, stop, event in event_segments(plan):
            if event is None:
                yield from render_frames(sources[start:stop], '1',
                                         np.zeros(stop - start), size)
                continue
            profile = temporal_profile(stop - start, 0,
                                       event.apex - event.onset,
                                       event.offset - event.onset)
            yield from render_frames(sources[start:stop],
                                     event.action_units,
                                     profile * event.amplitude, size,
                                     event.au_weights, event.side_weights)

    yield from camera_frames(rendered(), plan, rng)

