"""The frames of the clips, rendered from a photo or a video and written.

:func:`photo_clip_frames` and :func:`video_clip_frames` turn one
:class:`.plans.ClipPlan` into frames (:mod:`.frame_sources`, :mod:`.motion`,
:mod:`.render`); :func:`render_subject`, the worker task of the builder,
writes all clips of one subject as JPEG files in :data:`LAYOUT` (CASME II's,
``frame_path('casme2', ...)``), into a temporary folder renamed into place
when the subject is complete.
"""
import os
import os.path as osp
import time
from typing import Dict, Iterator, List, Optional, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.utils.fileio import atomic_dir, write_json
from .catalogue import (FaceSource, find_source, load_image, read_video,
                        source_path)
from .face_observation import shared_detector, track_video
from .frame_sources import (FrameSource, photo_sources, prepare_photo,
                            video_sources)
from .geometry import face_radius
from .motion import synthetic_drift, temporal_profile
from .plans import ClipPlan, DemoConfig
from .render import Nuisance, render_frames
from .video_windows import video_windows

#: Frame layout of the written clips.
LAYOUT = 'casme2'

#: A clip's frames (rendered as they are read) and their sources.
ClipFrames = Tuple[Iterator[np.ndarray], List[FrameSource]]


def _clip_rng(plan: ClipPlan) -> np.random.Generator:
    return np.random.default_rng(plan.render_seed)


def _nuisance(plan: ClipPlan) -> Nuisance:
    return Nuisance(light_gain=plan.light_gain, light_tilt=plan.light_tilt,
                    noise_sigma=plan.noise_sigma)


def _amplitudes(plan: ClipPlan) -> np.ndarray:
    """The displacement amplitude of each frame: profile times peak."""
    return temporal_profile(plan.num_frames, plan.onset, plan.apex,
                            plan.offset) * plan.amplitude


def photo_clip_frames(image: np.ndarray, points: np.ndarray, plan: ClipPlan,
                      size: int, nuisances: bool = True) -> ClipFrames:
    """Frames of one clip made from a photo.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        plan (ClipPlan): The clip.
        size (int): Frame side.
        nuisances (bool): Add head drift, lighting change and noise.

    Returns:
        tuple: ``(frames iterator, sources)``; ``sources`` holds the
        face-frame landmarks and the head pose of each frame.
    """
    rng = _clip_rng(plan)
    image, points = prepare_photo(image, points, size)
    drift = synthetic_drift(rng, plan.num_frames,
                            plan.drift_px if nuisances else 0.0,
                            face_radius(size))
    sources = photo_sources(image, points, size, plan.num_frames, drift,
                            plan.jitter)
    frames = render_frames(sources, plan.action_units, _amplitudes(plan),
                           size, plan.au_weights, plan.side_weights,
                           _nuisance(plan) if nuisances else None, rng)
    return frames, sources


def video_clip_frames(video: Dict[int, np.ndarray], points: np.ndarray,
                      start: int, span: int, plan: ClipPlan, size: int,
                      nuisances: bool = True) -> ClipFrames:
    """Frames of one clip made from consecutive video frames.

    Args:
        video (dict[int, np.ndarray]): Decoded frames by index.
        points (np.ndarray): (N, 478, 2) smoothed landmark track.
        start (int): First real frame of the window.
        span (int): Real frames in the window.
        plan (ClipPlan): The clip.
        size (int): Frame side.
        nuisances (bool): Keep (scaled) head motion, add lighting change
            and noise.

    Returns:
        tuple: ``(frames iterator, sources)``.
    """
    sources = video_sources(video, points, start, span, size,
                            plan.num_frames,
                            plan.drift_px if nuisances else 0.0, plan.jitter)
    frames = render_frames(sources, plan.action_units, _amplitudes(plan),
                           size, plan.au_weights, plan.side_weights,
                           _nuisance(plan) if nuisances else None,
                           _clip_rng(plan), field_per_frame=True)
    return frames, sources


def _subject_clips(source: FaceSource, points: Optional[np.ndarray],
                   plans: List[ClipPlan], size: int
                   ) -> Iterator[Tuple[ClipPlan, Iterator[np.ndarray],
                                       Optional[Dict]]]:
    """Each clip of a subject with its frames and, for a video, the real
    frames it plays (first and last, for the manifest)."""
    if source.kind == 'video':
        track, _ = track_video(source_path(source), shared_detector(),
                               frame_ranges=source.frame_ranges)
        windows = video_windows(track, plans)
        needed = sorted({k for s, n in windows for k in range(s, s + n)})
        video = read_video(source_path(source), needed)
        for plan, (start, span) in zip(plans, windows):
            frames, _ = video_clip_frames(video, track, start, span, plan,
                                          size)
            yield plan, frames, dict(
                clip=plan.clip, video_frames=[int(start),
                                              int(start + span - 1)])
    else:
        image = load_image(source)
        points = np.asarray(points, np.float64)
        for plan in plans:
            frames, _ = photo_clip_frames(image, points, plan, size)
            yield plan, frames, None


def _write_clip(frames: Iterator[np.ndarray], plan: ClipPlan, root: str,
                subject: str, folder: str, quality: int) -> Tuple[int, int]:
    """Write a clip's frames as JPEG files into ``folder``, which stands for
    the subject's folder of ``root``; return (frames, bytes)."""
    subject_dir = osp.join(root, subject)
    count = nbytes = 0
    for number, frame in zip(plan.frame_numbers(), frames):
        final = frame_path(LAYOUT, root, subject, plan.clip, number)
        path = osp.join(folder, osp.relpath(final, subject_dir))
        if count == 0:
            os.makedirs(osp.dirname(path), exist_ok=True)
        ok, buf = cv2.imencode('.jpg', frame,
                               [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError(f'JPEG encoding failed for {final}')
        with open(path, 'wb') as f:
            f.write(buf.tobytes())
        count += 1
        nbytes += len(buf)
    return count, nbytes


def render_subject(task: Dict) -> Dict:
    """Render all clips of one subject into its folder (atomically).

    The subject's record (``part``) is written before its folder is renamed
    into place, so a subject folder in place always has its record.

    Args:
        task (dict): ``root``, ``subject``, ``source`` (name), ``points``
            (landmarks of a photo), ``plans`` (list of :class:`ClipPlan`),
            ``config`` (:class:`DemoConfig`), ``part`` (path of the JSON
            record to write).

    Returns:
        dict: The subject's part of the manifest, with counts and time.
    """
    start_time = time.perf_counter()
    root, subject = task['root'], task['subject']
    config: DemoConfig = task['config']
    source = find_source(task['source'])
    frames_total = bytes_total = 0
    clips_info = []
    with atomic_dir(osp.join(root, subject)) as work:
        for plan, frames, window in _subject_clips(
                source, task['points'], task['plans'], config.frame_size):
            n, b = _write_clip(frames, plan, root, subject, work,
                               config.jpeg_quality)
            frames_total += n
            bytes_total += b
            if window is not None:
                clips_info.append(window)
        part = dict(subject=subject, frames=frames_total, bytes=bytes_total,
                    video_windows=clips_info)
        write_json(task['part'], part)
    part['seconds'] = time.perf_counter() - start_time
    return part
