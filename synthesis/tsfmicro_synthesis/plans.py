"""What each demo clip shows: options of a run and the plan of every clip.

Everything random about a clip (class, action units, amplitude, timing,
drift, lighting, noise) is drawn here, before anything is rendered, from a
generator seeded with ``(seed, subject number)``; so the coding sheet
depends only on the options, and one subject's frames never depend on
another's (subjects can be rendered in any order, in parallel, or resumed).
"""
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .action_units import (CLASS_VARIANTS, CLASSES, OBJECTIVE_CLASSES,
                           parse_combination)
from .set_builder import SetOptions


@dataclass(frozen=True)
class DemoConfig(SetOptions):
    """Options of a demo data set (all of them decide its content).

    Args:
        seed (int): Random seed.
        subjects (int, optional): Number of subjects (the first eligible
            faces of the catalogue); all eligible faces by default.
        clips_per_class (int): Clips of each of the 5 classes per subject.
        frame_size (int): Side of the square frames in pixels.
        clip_frames (tuple[int, int]): Range of clip lengths (frames).
        amplitude (tuple[float, float]): Range of the apex displacement of
            the main landmarks, in pixels for an inter-ocular distance of
            90 px (a 224 x 224 aligned face).
        drift (tuple[float, float]): Range of the largest head displacement
            over a clip, in frame pixels.
        noise (tuple[float, float]): Range of the sensor noise standard
            deviation (grey levels).
        light (float): Largest brightness change (and left-right gradient
            change) over a clip, as a fraction.
        slow (tuple[float, float]): Range of the slow-down of video clips.
        jpeg_quality (int): JPEG quality of the frames.
        min_iod (float): Smallest inter-ocular distance of a face in its
            file (px).
        max_yaw (float): Largest head turn (nose offset from the eye
            mid-point, in inter-ocular distances).
        sources (tuple[str], optional): Restrict candidates to these
            catalogue names (in catalogue order).
    """

    seed: int = 0
    subjects: Optional[int] = None
    clips_per_class: int = 3
    frame_size: int = 256
    clip_frames: Tuple[int, int] = (30, 48)
    amplitude: Tuple[float, float] = (2.5, 4.5)
    drift: Tuple[float, float] = (0.1, 1.5)
    noise: Tuple[float, float] = (0.8, 2.0)
    light: float = 0.05
    slow: Tuple[float, float] = (3.0, 5.0)
    jpeg_quality: int = 90
    min_iod: float = 38.0
    max_yaw: float = 0.5
    sources: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        for name in ('clip_frames', 'amplitude', 'drift', 'noise', 'slow'):
            lo, hi = getattr(self, name)
            if not lo <= hi:
                raise ValueError(f'{name}: need low <= high, got {lo}, {hi}')
        if self.clip_frames[0] < 8:
            raise ValueError('clip_frames: clips need at least 8 frames, got '
                             f'{self.clip_frames[0]}')
        if self.frame_size < 64:
            raise ValueError(f'frame_size must be >= 64, got '
                             f'{self.frame_size}')
        if self.clips_per_class < 1:
            raise ValueError('clips_per_class must be >= 1, got '
                             f'{self.clips_per_class}')
        if self.subjects is not None and self.subjects < 1:
            raise ValueError(f'subjects must be >= 1, got {self.subjects}')
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError('jpeg_quality must lie in 1..100, got '
                             f'{self.jpeg_quality}')
        if self.slow[0] < 1:
            raise ValueError(f'slow must be >= 1, got {self.slow}')


@dataclass
class ClipPlan:
    """Everything that decides one clip.

    Frame fields ``onset``, ``apex``, ``offset`` are 0-based indices in the
    clip; the frame numbers written in file names and in the coding sheet
    are ``first_frame + index``.

    Args:
        clip (str): Clip folder name, e.g. ``EP07_02``.
        emotion (str): Class name.
        label (int): Index of ``emotion`` in :data:`CLASSES`.
        action_units (str): AU combination, e.g. ``'6+12'``.
        objective_class (int): CASME II objective class of the combination.
        au_weights (dict[str, float]): Per-AU strength multipliers.
        side_weights (tuple[float, float]): Image-left / image-right
            strength (asymmetry).
        amplitude (float): Apex displacement (px at the reference IOD).
        num_frames (int): Frames in the clip.
        first_frame (int): Number of the clip's first frame.
        onset (int): Onset index.
        apex (int): Apex index.
        offset (int): Offset index.
        drift_px (float): Largest head displacement (frame px).
        noise_sigma (float): Sensor noise (grey levels).
        light_gain (float): Brightness change over the clip.
        light_tilt (float): Left-right gradient change over the clip.
        jitter (tuple[float, ...]): Framing ``(dx, dy, angle, log_scale)``.
        slow (float): Slow-down of a video clip.
        render_seed (int): Seed of the clip's noise and video window.
    """

    clip: str
    emotion: str
    label: int
    action_units: str
    objective_class: int
    au_weights: Dict[str, float]
    side_weights: Tuple[float, float]
    amplitude: float
    num_frames: int
    first_frame: int
    onset: int
    apex: int
    offset: int
    drift_px: float
    noise_sigma: float
    light_gain: float
    light_tilt: float
    jitter: Tuple[float, float, float, float]
    slow: float
    render_seed: int = field(default=0)

    @property
    def onset_frame(self) -> int:
        return self.first_frame + self.onset

    @property
    def apex_frame(self) -> int:
        return self.first_frame + self.apex

    @property
    def offset_frame(self) -> int:
        return self.first_frame + self.offset

    def frame_numbers(self) -> List[int]:
        """Return the frame numbers of the clip, in order."""
        return list(range(self.first_frame,
                          self.first_frame + self.num_frames))

    def to_dict(self) -> Dict:
        """Return a JSON-friendly record (rounded floats)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 4)
            elif isinstance(value, (tuple, list)):
                out[key] = [round(v, 4) if isinstance(v, float) else v
                            for v in value]
            elif isinstance(value, dict):
                out[key] = {k: round(v, 4) for k, v in value.items()}
        out.update(onset_frame=self.onset_frame, apex_frame=self.apex_frame,
                   offset_frame=self.offset_frame)
        return out


def _clip_names(rng: np.random.Generator, count: int) -> List[str]:
    """CASME II-style names ``EPxx_yy``: episode, then occurrence in it."""
    episodes = np.sort(rng.integers(1, 20, size=count))
    names, seen = [], {}
    for ep in episodes:
        seen[ep] = seen.get(ep, 0) + 1
        names.append(f'EP{int(ep):02d}_{seen[ep]:02d}')
    return names


def draw_clip_plans(config: DemoConfig, subject_number: int) -> List[ClipPlan]:
    """Draw the plans of one subject's clips.

    Args:
        config (DemoConfig): Options.
        subject_number (int): The subject's number (1 for ``sub01``).

    Returns:
        list[ClipPlan]: ``5 * clips_per_class`` plans, sorted by clip name.
    """
    rng = np.random.default_rng([config.seed, subject_number, 0])
    labels = np.repeat(np.arange(len(CLASSES)), config.clips_per_class)
    rng.shuffle(labels)
    names = _clip_names(rng, len(labels))
    plans = []
    for name, label in zip(names, labels):
        emotion = CLASSES[int(label)]
        variants = CLASS_VARIANTS[emotion]
        probs = np.array([p for _, p in variants])
        combo = variants[int(rng.choice(len(variants),
                                        p=probs / probs.sum()))][0]
        au_weights = {c: float(rng.uniform(0.8, 1.2))
                      for c in parse_combination(combo)}
        asym = float(rng.uniform(-0.25, 0.25))
        length = int(rng.integers(config.clip_frames[0],
                                  config.clip_frames[1] + 1))
        onset = int(rng.integers(1, max(2, length // 6) + 1))
        offset = length - 1 - int(rng.integers(0, max(1, length // 8) + 1))
        apex = onset + int(round(rng.uniform(0.3, 0.6) * (offset - onset)))
        apex = min(max(apex, onset + 1), offset - 1)
        plans.append(
            ClipPlan(
                clip=name,
                emotion=emotion,
                label=int(label),
                action_units=combo,
                objective_class=OBJECTIVE_CLASSES[combo],
                au_weights=au_weights,
                side_weights=(1.0 + asym, 1.0 - asym),
                amplitude=float(rng.uniform(*config.amplitude)),
                num_frames=length,
                first_frame=int(rng.integers(1, 300)),
                onset=onset,
                apex=apex,
                offset=offset,
                drift_px=float(rng.uniform(*config.drift)),
                noise_sigma=float(rng.uniform(*config.noise)),
                light_gain=float(rng.uniform(-config.light, config.light)),
                light_tilt=float(rng.uniform(-config.light, config.light)),
                jitter=(float(rng.uniform(-4, 4)), float(rng.uniform(-4, 4)),
                        float(rng.uniform(-0.03, 0.03)),
                        float(rng.uniform(-0.03, 0.03))),
                slow=float(rng.uniform(*config.slow)),
                render_seed=int(rng.integers(2**31 - 1))))
    plans.sort(key=lambda p: p.clip)
    return plans


def check_plans(plans: Sequence[ClipPlan]) -> None:
    """Check that clip names are unique and timings are ordered.

    Args:
        plans (Sequence[ClipPlan]): Plans of one subject.

    Raises:
        ValueError: On a duplicate name or a bad timing.
    """
    names = [p.clip for p in plans]
    if len(set(names)) != len(names):
        raise ValueError(f'duplicate clip names: {names}')
    for p in plans:
        if not 0 <= p.onset < p.apex < p.offset < p.num_frames:
            raise ValueError(f'clip {p.clip}: bad timing {p.onset}, '
                             f'{p.apex}, {p.offset} of {p.num_frames}')
