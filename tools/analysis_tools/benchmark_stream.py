"""Per-frame latency and memory of streaming: recurrent form vs windows.

A live video gives one frame at a time. The spotter's recurrent form
(``model.step``) scores it with a state of constant size; without it one
would re-run the parallel form over a sliding window of the last W frames
for every new frame, or, better, keep the window's frame features and
re-run only the retention over them (``cached W``). This tool measures both **on the same model, side by
side in one run**: for every frame the methods run one after the other, in
an order that rotates from frame to frame, so they share the machine's
load. It reports, per method, the median and 90th-percentile time a frame,
the speed-up over the 256-frame window, the peak memory a frame needs (the
highest rise of the resident memory while only that method runs, in a
child process) and what the method keeps between frames (the state, or
the window's frames). A second, recurrent-only run over ``--long`` frames
shows that its time and state do not grow with the video's length.

The frames are random normalized tensors at the config's input size (the
face alignment is not timed: it is the same for every method).

Example::

    python tools/analysis_tools/benchmark_stream.py \
        configs/spotting/spotter_tsfmicro-seq_1xb8-10e_demo-long.py --frames 200
"""
import argparse

from mmaction_tsfmicro.benchmarks.streaming import (RECURRENT, Methods, build,
                                                    long_run, memory_probe,
                                                    probe, timed)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Per-frame latency and peak memory of the recurrent '
        'form against a sliding window of the parallel form')
    parser.add_argument('config', help='a spotting config')
    parser.add_argument('--checkpoint', help='weights (default: random)')
    parser.add_argument('--frames', type=int, default=200,
                        help='timed frames per method')
    parser.add_argument('--windows', type=int, nargs='+',
                        default=[16, 64, 256])
    parser.add_argument('--long', type=int, default=3000,
                        help='frames of the recurrent-only run')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (1: one core, as a stream '
                        'beside other work)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak-memory child processes')
    parser.add_argument('--memory-probe', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.memory_probe:
        return memory_probe(args)
    import numpy as np
    model, size = build(args)
    methods = Methods(model, size, args.windows)
    times = timed(methods, args.frames)
    memory = {}
    if not args.no_memory:
        memory = {n: probe(args, n) for n in methods.names()}
    longest = f'window {max(args.windows)}'
    base = float(np.median(times[longest]))
    from mmaction_tsfmicro.benchmarks.machine import (load_average,
                                                      machine_description)
    print(f'{machine_description()}, load {load_average()}: {args.frames} '
          f'frames of {size}x{size}, torch threads {args.threads}, methods '
          'alternating frame by frame\n')
    print('| method | median ms / frame | p90 ms | speed-up vs '
          f'{longest} | peak memory MB | kept between frames |')
    print('|---|---|---|---|---|---|')
    for name in methods.names():
        t = np.asarray(times[name]) * 1000
        kept = methods.kept_bytes(name)
        mem = f'{memory[name]:.1f}' if name in memory else '-'
        print(f'| {name} | {np.median(t):.2f} | {np.percentile(t, 90):.2f} '
              f'| {base * 1000 / np.median(t):.1f}x | {mem} | '
              f'{kept / 1024:.1f} KB |')
    rows = long_run(methods, args.long)
    print(f'\nrecurrent form over {args.long} frames (median by block):\n')
    print('| frames seen | median ms / frame | state |')
    print('|---|---|---|')
    for seen, ms, kept in rows:
        print(f'| {seen} | {ms:.2f} | {kept / 1024:.1f} KB |')
    speedup = base / float(np.median(times[RECURRENT]))
    cached = f'cached {max(args.windows)}'
    cached_speedup = float(np.median(times[cached])) / float(
        np.median(times[RECURRENT]))
    growth = rows[-1][1] / rows[0][1]
    constant = len({kept for _, _, kept in rows}) == 1
    print(f'\nrecurrent vs {longest}: {speedup:.1f}x faster (needs >= 10x: '
          f'{"yes" if speedup >= 10 else "NO"}); state constant over '
          f'{args.long} frames: {"yes" if constant else "NO"}; time of the '
          f'last block / first block: {growth:.2f}')
    print(f'recurrent vs {cached} (features cached, the retention re-run): '
          f'{cached_speedup:.1f}x faster')
    return 0


if __name__ == '__main__':
    run_main(main)
