"""What each demo long video shows: its options and the plan of a video.

A long video is a still face photo of the demo's catalogue, seen for tens
of seconds: the head drifts slowly and moves a little now and then, the
person blinks (distractors: they are not annotated), and a few
micro-expressions (the demo's action-unit motions, onset-apex-offset spans
of 0.2 to 0.5 s) happen at random times that do not overlap. Everything
random is drawn here, from ``(seed, subject number, video number)``,
before anything is rendered, so the sheet and the annotation depend only on
the options, and videos can be rendered in any order or in parallel.
"""
from dataclasses import asdict, dataclass, fields
from typing import Dict, List, Optional, Tuple

import numpy as np

from .action_units import (CLASS_VARIANTS, CLASSES, OBJECTIVE_CLASSES,
                           parse_combination)
from .set_builder import SetOptions

#: The action units of blinks; they are distractors, so the classes of the
#: long videos leave them out (``others`` keeps AU4, AU7 and AU4+7).
BLINK = '45'

#: The AU combinations of each class in the long videos, with their shares.
LONG_CLASS_VARIANTS: Dict[str, Tuple[Tuple[str, float], ...]] = {
    emotion: tuple((combo, share) for combo, share in variants
                   if BLINK not in parse_combination(combo))
    for emotion, variants in CLASS_VARIANTS.items()
}


@dataclass(frozen=True)
class LongVideoConfig(SetOptions):
    """Options of a demo long-video set (all of them decide its content).

    Args:
        seed (int): Random seed.
        subjects (int, optional): Number of subjects (the first usable face
            photos of the catalogue); every usable photo by default.
        videos_per_subject (int): Recordings of each subject.
        duration (tuple[float, float]): Range of a video's length (s).
        fps (float): Frame rate; the layout's own rate when None.
        layout (str): ``'casme2_long'`` or ``'samm_long'``
            (:mod:`mmaction_tsfmicro.spotting.layouts`).
        frame_size (int): Side of the square frames (px).
        expressions (tuple[int, int]): Range of the micro-expressions of a
            video.
        expression_seconds (tuple[float, float]): Range of an expression's
            onset-to-offset time (s).
        amplitude (tuple[float, float]): Range of the apex displacement (px
            for a 90 px inter-ocular distance, as in the demo set).
        blinks_per_minute (tuple[float, float]): Range of the blink rate.
        blink_seconds (tuple[float, float]): Range of a blink's length (s).
        blink_amplitude (tuple[float, float]): Range of a blink's lid
            motion, in the units of ``amplitude``.
        drift_px (tuple[float, float]): Range of the slow head drift over a
            video (largest displacement of a face point, px).
        moves_per_minute (tuple[float, float]): Range of the rate of small
            quick head moves.
        move_px (tuple[float, float]): Range of a head move's size (px).
        move_seconds (tuple[float, float]): Range of a head move's length.
        noise (tuple[float, float]): Range of the sensor noise (grey
            levels).
        light (float): Largest slow brightness (and left-right gradient)
            change over a video, as a fraction.
        min_gap (float): Least time between two events (expressions,
            blinks) and between an event and either end of the video (s).
        jpeg_quality (int): JPEG quality of the frames.
        write_video (bool): Also write each recording as a video file
            (Motion-JPEG ``.avi``, as CAS(ME)^2's ``rawvideo``).
        min_iod (float): Smallest inter-ocular distance of a photo's face.
        max_yaw (float): Largest head turn of a photo's face.
        sources (tuple[str], optional): Restrict the faces to these
            catalogue photos.
    """

    seed: int = 0
    subjects: Optional[int] = None
    videos_per_subject: int = 2
    duration: Tuple[float, float] = (16.0, 24.0)
    fps: Optional[float] = None
    layout: str = 'casme2_long'
    frame_size: int = 256
    expressions: Tuple[int, int] = (3, 5)
    expression_seconds: Tuple[float, float] = (0.2, 0.5)
    amplitude: Tuple[float, float] = (2.5, 4.5)
    blinks_per_minute: Tuple[float, float] = (6.0, 15.0)
    blink_seconds: Tuple[float, float] = (0.15, 0.3)
    blink_amplitude: Tuple[float, float] = (5.0, 7.0)
    drift_px: Tuple[float, float] = (1.0, 4.0)
    moves_per_minute: Tuple[float, float] = (2.0, 5.0)
    move_px: Tuple[float, float] = (1.0, 3.0)
    move_seconds: Tuple[float, float] = (0.4, 1.2)
    noise: Tuple[float, float] = (0.8, 2.0)
    light: float = 0.05
    min_gap: float = 0.6
    jpeg_quality: int = 90
    write_video: bool = True
    min_iod: float = 38.0
    max_yaw: float = 0.5
    sources: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        from mmaction_tsfmicro.spotting.layouts import get_long_layout
        object.__setattr__(self, 'layout', get_long_layout(self.layout).name)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) and f.name != 'sources':
                if len(value) != 2 or not value[0] <= value[1]:
                    raise ValueError(f'{f.name}: need (low, high) with low '
                                     f'<= high, got {value}')
        if self.videos_per_subject < 1 or self.expressions[0] < 0:
            raise ValueError('need videos_per_subject >= 1 and expressions '
                             '>= 0')
        if self.rate <= 0 or self.frame_size < 64:
            raise ValueError(f'need fps > 0 and frame_size >= 64, got '
                             f'{self.rate}, {self.frame_size}')
        if round(self.expression_seconds[0] * self.rate) < 2 or round(
                self.blink_seconds[0] * self.rate) < 2:
            raise ValueError(
                f'at {self.rate:g} fps the shortest expression or blink '
                'spans fewer than 3 frames; raise fps or the durations')
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f'jpeg_quality must lie in 1..100, got '
                             f'{self.jpeg_quality}')

    @property
    def rate(self) -> float:
        """The frame rate: ``fps``, or the layout's."""
        if self.fps is not None:
            return float(self.fps)
        from mmaction_tsfmicro.spotting.layouts import get_long_layout
        return get_long_layout(self.layout).fps


@dataclass
class Event:
    """One expression or blink of a video (0-based frame indices).

    Args:
        kind (str): ``'expression'`` or ``'blink'``.
        onset (int): Onset index (the motion starts after it).
        apex (int): Apex index.
        offset (int): Offset index (the face is at rest again).
        action_units (str): The AU combination.
        amplitude (float): Apex displacement.
        emotion (str, optional): The class (expressions).
        label (int): Index of ``emotion`` in :data:`CLASSES` (-1: blink).
        objective_class (int): CASME II objective class (0: blink).
        au_weights (dict[str, float]): Per-AU strengths.
        side_weights (tuple[float, float]): Left / right strengths.
    """

    kind: str
    onset: int
    apex: int
    offset: int
    action_units: str
    amplitude: float
    emotion: Optional[str] = None
    label: int = -1
    objective_class: int = 0
    au_weights: Optional[Dict[str, float]] = None
    side_weights: Tuple[float, float] = (1.0, 1.0)


@dataclass
class LongVideoPlan:
    """Everything that decides one long video.

    Args:
        subject (str): Subject folder.
        subject_number (int): 1-based subject number.
        video (str): Video folder.
        video_number (int): 1-based number of the video of the subject.
        num_frames (int): Frames.
        fps (float): Frame rate.
        events (list[Event]): Expressions and blinks, in time order.
        drift_px (float): Slow head drift.
        moves (list[dict]): Quick head moves: ``start``, ``frames``,
            ``pose`` (tx, ty, angle, log-scale), ``back`` (returns).
        noise_sigma (float): Sensor noise.
        light (tuple[float, float]): Brightness and gradient change.
        jitter (tuple[float, ...]): Framing of the recording.
        render_seed (int): Seed of the drift, lighting and noise.
    """

    subject: str
    subject_number: int
    video: str
    video_number: int
    num_frames: int
    fps: float
    events: List[Event]
    drift_px: float
    moves: List[Dict]
    noise_sigma: float
    light: Tuple[float, float]
    jitter: Tuple[float, float, float, float]
    render_seed: int

    @property
    def expressions(self) -> List[Event]:
        """The annotated events (blinks left out)."""
        return [e for e in self.events if e.kind == 'expression']

    def to_dict(self) -> Dict:
        """A JSON-friendly record (floats rounded)."""

        def plain(value):
            if isinstance(value, float):
                return round(value, 4)
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return plain(asdict(self))


def _draw_expression(rng: np.random.Generator, config: LongVideoConfig,
                     fps: float) -> Event:
    emotion = CLASSES[int(rng.integers(len(CLASSES)))]
    variants = LONG_CLASS_VARIANTS[emotion]
    shares = np.array([s for _, s in variants])
    combo = variants[int(rng.choice(len(variants),
                                    p=shares / shares.sum()))][0]
    span = max(2, int(round(rng.uniform(*config.expression_seconds) * fps)))
    apex = int(round(rng.uniform(0.3, 0.6) * span))
    asym = float(rng.uniform(-0.25, 0.25))
    return Event('expression', 0, min(max(apex, 1), span - 1), span, combo,
                 float(rng.uniform(*config.amplitude)), emotion,
                 CLASSES.index(emotion), OBJECTIVE_CLASSES[combo],
                 {c: float(rng.uniform(0.8, 1.2))
                  for c in parse_combination(combo)},
                 (1.0 + asym, 1.0 - asym))


def _draw_blink(rng: np.random.Generator, config: LongVideoConfig,
                fps: float) -> Event:
    span = max(2, int(round(rng.uniform(*config.blink_seconds) * fps)))
    apex = min(max(int(round(0.4 * span)), 1), span - 1)
    return Event('blink', 0, apex, span, BLINK,
                 float(rng.uniform(*config.blink_amplitude)))


def _place(rng: np.random.Generator, events: List[Event], num_frames: int,
           gap: int, what: str) -> List[Event]:
    """Give each event (its span from 0) a start so that none overlap."""
    taken: List[Tuple[int, int]] = []
    placed = []
    for event in events:
        length = event.offset
        lo, hi = gap, num_frames - 1 - gap - length
        for _ in range(200):
            start = int(rng.integers(lo, max(lo, hi) + 1))
            if start <= hi and all(start > b + gap or start + length < a - gap
                                   for a, b in taken):
                break
        else:
            raise ValueError(f'{what}: cannot place {len(events)} events '
                             f'{gap} frames apart in {num_frames} frames; '
                             'make the videos longer or the events fewer')
        taken.append((start, start + length))
        event.onset += start
        event.apex += start
        event.offset += start
        placed.append(event)
    return sorted(placed, key=lambda e: e.onset)


def draw_video_plan(config: LongVideoConfig, subject: str,
                    subject_number: int, video: str,
                    video_number: int) -> LongVideoPlan:
    """Draw the plan of one video.

    Args:
        config (LongVideoConfig): Options.
        subject (str): Subject folder name.
        subject_number (int): 1-based subject number.
        video (str): Video folder name.
        video_number (int): 1-based video number of the subject.

    Returns:
        LongVideoPlan: The plan.
    """
    rng = np.random.default_rng([config.seed, subject_number, video_number,
                                 1])
    fps = config.rate
    num_frames = int(round(rng.uniform(*config.duration) * fps))
    minutes = num_frames / fps / 60
    events = [_draw_expression(rng, config, fps) for _ in range(
        int(rng.integers(config.expressions[0], config.expressions[1] + 1)))]
    events += [_draw_blink(rng, config, fps) for _ in range(
        int(round(rng.uniform(*config.blinks_per_minute) * minutes)))]
    gap = int(round(config.min_gap * fps))
    events = _place(rng, events, num_frames, gap, f'{subject}/{video}')
    moves = []
    for _ in range(int(round(rng.uniform(*config.moves_per_minute) *
                             minutes))):
        size = float(rng.uniform(*config.move_px))
        angle = float(rng.uniform(0, 2 * np.pi))
        frames = max(2, int(round(rng.uniform(*config.move_seconds) * fps)))
        radius = 0.4 * config.frame_size
        moves.append(dict(
            start=int(rng.integers(0, max(1, num_frames - frames))),
            frames=frames,
            pose=[0.7 * size * np.cos(angle), 0.7 * size * np.sin(angle),
                  float(rng.uniform(-0.3, 0.3)) * size / radius, 0.0],
            back=bool(rng.random() < 0.5)))
    return LongVideoPlan(
        subject=subject, subject_number=subject_number, video=video,
        video_number=video_number, num_frames=num_frames, fps=fps,
        events=events, drift_px=float(rng.uniform(*config.drift_px)),
        moves=moves, noise_sigma=float(rng.uniform(*config.noise)),
        light=(float(rng.uniform(-config.light, config.light)),
               float(rng.uniform(-config.light, config.light))),
        jitter=(float(rng.uniform(-4, 4)), float(rng.uniform(-4, 4)),
                float(rng.uniform(-0.03, 0.03)),
                float(rng.uniform(-0.03, 0.03))),
        render_seed=int(rng.integers(2**31 - 1)))
