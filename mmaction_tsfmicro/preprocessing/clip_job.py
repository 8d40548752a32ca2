"""The per-clip face alignment job.

For each clip (:class:`.clip_spec.ClipSpec`) :func:`process_clip`:

1. detects the face on the reference frame, the earliest annotated onset;
2. computes ONE similarity transform from its eyes (and nose), see
   :mod:`.alignment`;
3. checks the transform on the other key frames (every sample's onset, apex
   and offset): the face is detected there too, its eyes (and nose) are
   mapped with the same transform and must lie within ``max_shift`` output
   pixels of the reference's;
4. warps every selected frame with that transform into a temporary folder
   next to the output folder, writes ``alignment.json`` (the transform, the
   landmarks used, the detector, the checks) and renames the temporary
   folder to the output folder.

A clip that fails any step leaves no output folder; the reason names the
frame. A clip whose output folder holds ``alignment.json`` is done and is
skipped by a later run.
"""
import os.path as osp
import time
from typing import Dict, List, Tuple

import cv2
import numpy as np

from ..annotations.layouts import (filename_tmpl, frame_dir, get_template,
                                   list_frames)
from ..utils.fileio import (DiskFullError, atomic_dir, disk_full_error,
                            no_space_left, write_json)
from .alignment import (estimate_transform, transform_angle, transform_points,
                        transform_scale, warp_face)
from .clip_spec import (ALIGNMENT_FILE, PARTIAL_SUFFIX, ClipResult, ClipSpec,
                        PreprocessConfig, is_done, key_frames, output_dir)
from .image_io import FrameReadError, read_image
from .landmarks import FaceLandmarks, LandmarkDetector


class ClipError(Exception):
    """A clip cannot be processed; the message is the reason."""


def select_frames(spec: ClipSpec,
                  cfg: PreprocessConfig) -> List[Tuple[int, str]]:
    """Return the ``(frame, source path)`` pairs a clip writes.

    Args:
        spec (ClipSpec): The clip.
        cfg (PreprocessConfig): Run settings.

    Returns:
        list[tuple[int, str]]: The frames in order, with their paths.

    Raises:
        ClipError: If the clip folder or an annotated frame is missing.
    """
    src_dir = frame_dir(cfg.layout, cfg.src, spec.subject, spec.clip)
    if not osp.isdir(src_dir):
        raise ClipError(f'clip folder not found: {src_dir}')
    tmpl = filename_tmpl(cfg.layout, spec.subject, spec.clip)
    if cfg.frames == 'all':
        frames = list_frames(cfg.layout, cfg.src, spec.subject, spec.clip)
        have = {f for f, _ in frames}
        needed = sorted({f for _, f in key_frames(spec)} - have)
        if needed:
            path = osp.join(src_dir, tmpl.format(needed[0]))
            raise ClipError(f'missing annotated frame {needed[0]}: {path}')
        return frames
    wanted = set()
    for s in spec.samples:
        wanted.update(range(s['onset'], max(s['apex'], s['offset']) + 1))
    frames = [(f, osp.join(src_dir, tmpl.format(f))) for f in sorted(wanted)]
    for f, path in frames:
        if not osp.isfile(path):
            raise ClipError(f'missing frame {f}: {path}')
    return frames


def read_frame(path: str, frame: int) -> np.ndarray:
    """Read a frame as stored (gray stays gray).

    Args:
        path (str): The image file.
        frame (int): Its frame number, for the message.

    Returns:
        np.ndarray: The uint8 image.

    Raises:
        ClipError: If the file is missing, truncated, cannot be decoded or
            is not 8-bit.
    """
    try:
        image = read_image(path, cv2.IMREAD_UNCHANGED, f'frame {frame}')
    except FrameReadError as e:
        raise ClipError(str(e)) from None
    if image.dtype != np.uint8:
        raise ClipError(f'frame {frame} is {image.dtype}, not 8-bit: {path}')
    return image


def fit_clip(spec: ClipSpec, cfg: PreprocessConfig,
             detector: LandmarkDetector,
             paths: Dict[int, str]) -> Tuple[np.ndarray, FaceLandmarks,
                                             List[Dict]]:
    """Detect on the reference frame, fit the transform, check key frames.

    Args:
        spec (ClipSpec): The clip.
        cfg (PreprocessConfig): Run settings.
        detector (LandmarkDetector): Landmark detector.
        paths (dict[int, str]): Source path of each frame number.

    Returns:
        tuple: The (2, 3) matrix, the reference landmarks and one dict per
        checked key frame (``role``, ``frame``, ``shift_px``).

    Raises:
        ClipError: No face on a key frame, or a key frame moved too much.
    """
    frames = key_frames(spec)
    (ref_role, ref_frame), others = frames[0], frames[1:]
    ref = detector.detect(read_frame(paths[ref_frame], ref_frame))
    if ref is None:
        raise ClipError(f'no face found on {ref_role} frame {ref_frame}: '
                        f'{paths[ref_frame]}')
    matrix = estimate_transform(ref.eyes, cfg.target, ref.nose)
    ref_pts = transform_points(matrix, ref.key_points())
    checks = []
    if cfg.max_shift is None:
        return matrix, ref, checks
    for role, frame in others:
        face = detector.detect(read_frame(paths[frame], frame))
        if face is None:
            raise ClipError(f'no face found on {role} frame {frame}: '
                            f'{paths[frame]}')
        pts = transform_points(matrix, face.key_points())
        n = min(len(pts), len(ref_pts))
        shift = float(np.linalg.norm(pts[:n] - ref_pts[:n], axis=1).max())
        checks.append(dict(role=role, frame=frame, shift_px=round(shift, 3)))
        if shift > cfg.max_shift:
            raise ClipError(
                f'landmarks moved {shift:.1f} px (> {cfg.max_shift:g} px at '
                f'{cfg.target.size} px) between {ref_role} frame {ref_frame} '
                f'and {role} frame {frame}')
    return matrix, ref, checks


def _write_image(path: str, image: np.ndarray, quality: int) -> None:
    ext = osp.splitext(path)[1].lower()
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] \
        if ext in ('.jpg', '.jpeg') else []
    if not cv2.imwrite(path, image, params):
        # OpenCV says only that it failed: a full disk is the usual reason
        folder = osp.dirname(osp.dirname(osp.abspath(path)))
        if no_space_left(folder, max(image.nbytes, 1 << 20)):
            raise disk_full_error(folder)
        raise ClipError(f'cannot write {path}')


def _write_clip(folder: str, spec: ClipSpec, cfg: PreprocessConfig,
                frames: List[Tuple[int, str]], matrix: np.ndarray,
                ref: FaceLandmarks, checks: List[Dict]) -> None:
    """Warp every frame into ``folder`` and write its ``alignment.json``."""
    tmpl = filename_tmpl(cfg.out_layout, spec.subject, spec.clip)
    source_shape = None
    for frame, path in frames:
        image = read_frame(path, frame)
        if source_shape is None:
            source_shape = list(image.shape)
        crop = warp_face(image, matrix, cfg.target.size)
        _write_image(
            osp.join(folder, tmpl.format(frame)), crop, cfg.jpeg_quality)
    meta = dict(
        subject=spec.subject,
        clip=spec.clip,
        source_layout=get_template(cfg.layout),
        layout=get_template(cfg.out_layout),
        detector=ref.detector,
        reference_frame=key_frames(spec)[0][1],
        source_shape=source_shape,
        matrix=np.round(matrix, 8).tolist(),
        scale=round(transform_scale(matrix), 6),
        angle_deg=round(transform_angle(matrix), 4),
        landmarks=ref.to_dict(),
        aligned_key_points=np.round(
            transform_points(matrix, ref.key_points()), 3).tolist(),
        target=cfg.target.to_dict(),
        max_shift=cfg.max_shift,
        checks=checks,
        samples=spec.samples,
        frames=[f for f, _ in frames])
    # max_shift may be infinite (check, never refuse): JSON's Infinity
    write_json(osp.join(folder, ALIGNMENT_FILE), meta, allow_nan=True)


def process_clip(spec: ClipSpec, cfg: PreprocessConfig,
                 detector: LandmarkDetector) -> ClipResult:
    """Align one clip and write it atomically (see the module docstring).

    Args:
        spec (ClipSpec): The clip.
        cfg (PreprocessConfig): Run settings.
        detector (LandmarkDetector): Landmark detector.

    Returns:
        ClipResult: ``done``, ``skipped`` (already done) or ``failed`` with
        the reason; a failed clip leaves nothing behind.
    """
    start = time.perf_counter()
    out_dir = output_dir(spec, cfg)
    if is_done(spec, cfg) and not cfg.overwrite:
        return ClipResult(spec.key, 'skipped', 'already done')
    if osp.exists(out_dir) and not is_done(spec, cfg):
        return ClipResult(
            spec.key, 'failed', f'output folder exists without '
            f'{ALIGNMENT_FILE} (not written by this tool): {out_dir}')
    try:
        frames = select_frames(spec, cfg)
        matrix, ref, checks = fit_clip(spec, cfg, detector, dict(frames))
        # the frames are written into .<clip>.partial next to the output
        # folder (one left by an interrupted run is cleared first), which
        # is renamed to it when complete and deleted on any failure
        with atomic_dir(out_dir, PARTIAL_SUFFIX) as tmp_dir:
            _write_clip(tmp_dir, spec, cfg, frames, matrix, ref, checks)
    except ClipError as exc:
        return ClipResult(spec.key, 'failed', str(exc),
                          seconds=time.perf_counter() - start)
    except DiskFullError:
        raise  # the run stops: every clip after it would fail too
    except Exception as exc:  # KeyboardInterrupt, SystemExit go on
        return ClipResult(spec.key, 'failed',
                          f'{type(exc).__name__}: {exc}',
                          seconds=time.perf_counter() - start)
    return ClipResult(spec.key, 'done', num_frames=len(frames),
                      seconds=time.perf_counter() - start)
