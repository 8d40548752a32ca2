"""The per-clip face alignment job.

A clip is one frame folder of a dataset (``subject``/``clip`` in its
layout); several annotated samples may share it (CAS(ME)^3 part A). For each
clip :func:`process_clip`:

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
import json
import os
import os.path as osp
import shutil
import time
from dataclasses import dataclass, field
from typing import (Dict, Iterable, Iterator, List, Optional, Sequence,
                    Tuple)

import cv2
import numpy as np

from .alignment import (AlignmentTarget, estimate_transform, transform_angle,
                        transform_points, transform_scale, warp_face)
from .landmarks import FaceLandmarks, LandmarkDetector
from ..annotations.layouts import filename_tmpl, frame_dir, get_template, list_frames

ALIGNMENT_FILE = 'alignment.json'
PARTIAL_SUFFIX = '.partial'
FRAME_MODES = ('annotated', 'all')


class ClipError(Exception):
    """A clip cannot be processed; the message is the reason."""


@dataclass
class ClipSpec:
    """One clip folder and the annotated samples it holds.

    Args:
        subject (str): Subject folder name.
        clip (str): Clip folder name (the records' ``clip_dir``, else their
            ``clip``).
        samples (list[dict]): ``clip`` (the sample id), ``onset``, ``apex``,
            ``offset`` of each sample in the folder (frame numbers of the
            file names).
    """

    subject: str
    clip: str
    samples: List[Dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``subject/clip``, the name used in reports."""
        return f'{self.subject}/{self.clip}'


@dataclass
class ClipResult:
    """Outcome of one clip: ``status`` is done, skipped or failed."""

    key: str
    status: str
    reason: str = ''
    num_frames: int = 0
    seconds: float = 0.0


@dataclass
class PreprocessConfig:
    """Settings of a face preprocessing run.

    Args:
        src (str): Root of the raw frames.
        dst (str): Root of the aligned crops.
        layout (str): Frame layout name or template of ``src``
            (:mod:`.layouts`).
        target (AlignmentTarget): Output geometry.
        frames (str): ``'annotated'``: each sample's onset to offset (or
            apex, if later), for every sample of the clip; ``'all'``: every
            frame of the clip folder.
        max_shift (float, optional): Largest distance in output pixels that
            the eyes (and nose) of a key frame may lie from the reference
            frame's after alignment; None disables the check.
        jpeg_quality (int): Quality of written JPEG frames.
        overwrite (bool): Redo clips that are already done.
        out_layout (str, optional): Frame layout of ``dst``. Defaults to
            ``layout`` (the crops keep the source's file names).
    """

    src: str
    dst: str
    layout: str
    target: AlignmentTarget = field(default_factory=AlignmentTarget)
    frames: str = 'annotated'
    max_shift: Optional[float] = 10.0
    jpeg_quality: int = 95
    overwrite: bool = False
    out_layout: Optional[str] = None

    def __post_init__(self) -> None:
        get_template(self.layout)
        if self.out_layout is None:
            self.out_layout = self.layout
        get_template(self.out_layout)
        if self.frames not in FRAME_MODES:
            raise ValueError(f'frames must be one of {FRAME_MODES}, got '
                             f'{self.frames!r}')
        if osp.abspath(self.src) == osp.abspath(self.dst):
            raise ValueError(f'source and output roots are the same folder: '
                             f'{self.src}')


def load_records(ann: str) -> List[Dict]:
    """Read the ``data_list`` of a normalized annotation file.

    Args:
        ann (str): Path of the annotation JSON.

    Returns:
        list[dict]: The records.
    """
    if not osp.isfile(ann):
        raise FileNotFoundError(f'annotation file not found: {ann}')
    try:
        with open(ann) as f:
            data = json.load(f)
    except ValueError as exc:
        raise ValueError(f'{ann}: not valid JSON ({exc})') from None
    if not isinstance(data, dict) or not isinstance(
            data.get('data_list'), list):
        raise ValueError(f'{ann}: not a normalized annotation file (a dict '
                         'with a "data_list" list)')
    return data['data_list']


def select_records(records: Iterable[Dict],
                   dataset: Optional[str] = None
                   ) -> Iterator[Tuple[int, Dict]]:
    """The records of one dataset that a clip job needs, checked.

    Args:
        records (Iterable[dict]): Records of the normalized annotation file.
        dataset (str, optional): Keep only records of this dataset (records
            without a ``dataset`` key are kept).

    Yields:
        tuple[int, dict]: Each kept record with its index in the file.

    Raises:
        KeyError: A record lacks ``subject``, ``clip``, ``onset`` or
            ``apex``.
    """
    for i, rec in enumerate(records):
        if dataset is not None and rec.get('dataset', dataset) != dataset:
            continue
        missing = [k for k in ('subject', 'clip', 'onset', 'apex')
                   if rec.get(k) is None]
        if missing:
            raise KeyError(f'annotation record {i} lacks {missing}: {rec}')
        yield i, rec


def records_of(ann: str, dataset: str) -> List[Dict]:
    """Load an annotation file and keep the records of ``dataset``.

    Args:
        ann (str): Path of the annotation JSON.
        dataset (str): The records' ``dataset``.

    Returns:
        list[dict]: The records (at least one).

    Raises:
        ValueError: The file holds no record of ``dataset``.
    """
    records = load_records(ann)
    kept = [rec for _, rec in select_records(records, dataset)]
    if not kept:
        found = sorted({str(r.get('dataset')) for r in records})
        raise ValueError(f'{ann}: no record of dataset {dataset!r} '
                         f'(datasets in the file: {", ".join(found)})')
    return kept


def group_clips(records: Iterable[Dict],
                dataset: Optional[str] = None) -> List[ClipSpec]:
    """Group annotation records by clip folder.

    A record's folder is its ``clip_dir`` when it has one (CAS(ME)^3 part A:
    samples ``e_62`` and ``e_96`` share the recording ``e``), else its
    ``clip``.

    Args:
        records (Iterable[dict]): Records of the normalized annotation file.
        dataset (str, optional): Keep only records of this dataset (records
            without a ``dataset`` key are kept).

    Returns:
        list[ClipSpec]: Clips in first-seen order.
    """
    clips: Dict[Tuple[str, str], ClipSpec] = {}
    for i, rec in select_records(records, dataset):
        key = (str(rec['subject']), str(rec.get('clip_dir') or rec['clip']))
        spec = clips.setdefault(key, ClipSpec(*key))
        onset, apex = int(rec['onset']), int(rec['apex'])
        offset = rec.get('offset')
        offset = apex if offset is None else int(offset)
        if not onset <= apex:
            raise ValueError(f'annotation record {i} ({key[0]}/'
                             f"{rec['clip']}): onset {onset} > apex {apex}")
        spec.samples.append(
            dict(clip=str(rec['clip']), onset=onset, apex=apex,
                 offset=offset))
    return list(clips.values())


def output_dir(spec: ClipSpec, cfg: PreprocessConfig) -> str:
    """Return the output folder of a clip's frames."""
    return frame_dir(cfg.out_layout, cfg.dst, spec.subject, spec.clip)


def is_done(spec: ClipSpec, cfg: PreprocessConfig) -> bool:
    """Whether a clip's output folder is complete (holds the JSON)."""
    return osp.isfile(osp.join(output_dir(spec, cfg), ALIGNMENT_FILE))


def key_frames(spec: ClipSpec) -> List[Tuple[str, int]]:
    """Return ``(role, frame)`` of the reference and the key frames.

    The reference (first item) is the earliest onset; the others are each
    sample's onset, apex and offset, without repeats.
    """
    ref = min(s['onset'] for s in spec.samples)
    out, seen = [('onset', ref)], {ref}
    for sample in spec.samples:
        for role in ('onset', 'apex', 'offset'):
            frame = sample[role]
            if frame not in seen:
                seen.add(frame)
                out.append((role, frame))
    return out


def select_frames(spec: ClipSpec,
                  cfg: PreprocessConfig) -> List[Tuple[int, str]]:
    """Return the ``(frame, source path)`` pairs a clip writes.

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
    """Read a frame as stored (gray stays gray) or raise :class:`ClipError`."""
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise ClipError(f'cannot read frame {frame}: {path}')
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
        raise ClipError(f'cannot write {path}')


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
    parent, name = osp.split(out_dir)
    tmp_dir = osp.join(parent, f'.{name}{PARTIAL_SUFFIX}')
    try:
        frames = select_frames(spec, cfg)
        paths = dict(frames)
        matrix, ref, checks = fit_clip(spec, cfg, detector, paths)
        if osp.exists(tmp_dir):  # left by an interrupted run
            shutil.rmtree(tmp_dir)
        os.makedirs(tmp_dir)
        tmpl = filename_tmpl(cfg.out_layout, spec.subject, spec.clip)
        source_shape = None
        for frame, path in frames:
            image = read_frame(path, frame)
            if source_shape is None:
                source_shape = list(image.shape)
            crop = warp_face(image, matrix, cfg.target.size)
            _write_image(
                osp.join(tmp_dir, tmpl.format(frame)), crop, cfg.jpeg_quality)
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
        with open(osp.join(tmp_dir, ALIGNMENT_FILE), 'w') as f:
            json.dump(meta, f, indent=1)
        _swap_in(tmp_dir, out_dir)
    except ClipError as exc:
        _remove(tmp_dir)
        return ClipResult(spec.key, 'failed', str(exc),
                          seconds=time.perf_counter() - start)
    except BaseException as exc:
        _remove(tmp_dir)
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            raise
        return ClipResult(spec.key, 'failed',
                          f'{type(exc).__name__}: {exc}',
                          seconds=time.perf_counter() - start)
    return ClipResult(spec.key, 'done', num_frames=len(frames),
                      seconds=time.perf_counter() - start)


def _remove(path: str) -> None:
    if osp.exists(path):
        shutil.rmtree(path, ignore_errors=True)


def _swap_in(tmp_dir: str, out_dir: str) -> None:
    """Rename a complete temporary folder to the output folder."""
    if osp.exists(out_dir):  # overwrite: move the old one aside first
        old = out_dir + '.old'
        _remove(old)
        os.rename(out_dir, old)
        os.rename(tmp_dir, out_dir)
        _remove(old)
    else:
        os.rename(tmp_dir, out_dir)


def load_alignment(folder: str) -> Dict:
    """Read the ``alignment.json`` of an aligned clip folder."""
    path = osp.join(folder, ALIGNMENT_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(f'no {ALIGNMENT_FILE} in {folder}')
    with open(path) as f:
        return json.load(f)


def summarize(results: Sequence[ClipResult]) -> str:
    """Return a human-readable summary: counts, then each failure."""
    counts = {s: sum(r.status == s for r in results)
              for s in ('done', 'skipped', 'failed')}
    lines = [f'clips: {len(results)}, done: {counts["done"]}, skipped '
             f'(already done): {counts["skipped"]}, failed: '
             f'{counts["failed"]}']
    lines += [f'FAILED {r.key}: {r.reason}'
              for r in results if r.status == 'failed']
    return '\n'.join(lines)
