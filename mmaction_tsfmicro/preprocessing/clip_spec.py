"""What a face alignment run works on: the clips, the run's settings and
the outcome of each clip.

A clip is one frame folder of a dataset (``subject``/``clip`` in its
layout); several annotated samples may share it (CAS(ME)^3 part A).
:func:`group_clips` makes the :class:`ClipSpec` of each folder from the
annotation records, :func:`key_frames` names the frames its job detects on,
and :func:`output_dir` and :func:`is_done` say where its crops go and
whether they are complete (the folder holds ``alignment.json``).
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from ..annotations.layouts import frame_dir, get_template
from .alignment import AlignmentTarget
from .records import select_records

ALIGNMENT_FILE = 'alignment.json'
PARTIAL_SUFFIX = '.partial'
FRAME_MODES = ('annotated', 'all')


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
            (:mod:`mmaction_tsfmicro.annotations.layouts`).
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


def group_clips(records: Iterable[Dict],
                dataset: Optional[str] = None) -> List[ClipSpec]:
    """Group annotation records by clip folder.

    A record's folder is its ``clip_dir`` when it has one (CAS(ME)^3 part A:
    samples ``e_62`` and ``e_96`` share the recording ``e``), else its
    ``clip``.

    Args:
        records (Iterable[dict]): Records of a normalized annotation file
            (checked by the loader: ``onset <= apex <= offset``).
        dataset (str, optional): Keep only records of this dataset.

    Returns:
        list[ClipSpec]: Clips in first-seen order.
    """
    clips: Dict[Tuple[str, str], ClipSpec] = {}
    for _, rec in select_records(records, dataset):
        key = (rec['subject'], rec.get('clip_dir') or rec['clip'])
        spec = clips.setdefault(key, ClipSpec(*key))
        spec.samples.append(
            dict(clip=rec['clip'], onset=rec['onset'], apex=rec['apex'],
                 offset=rec['offset']))
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

    Args:
        spec (ClipSpec): The clip.

    Returns:
        list[tuple[str, int]]: The reference first, then the key frames.
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
