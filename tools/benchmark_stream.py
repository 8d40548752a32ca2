"""Per-frame latency and memory of streaming: recurrent form vs windows.

A live video gives one frame at a time. The spotter's recurrent form
(``model.step``) scores it with a state of constant size; without it one
would re-run the parallel form over a sliding window of the last W frames
for every new frame. This tool measures both **on the same model, side by
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

    python tools/benchmark_stream.py \\
        configs/spotting/spotter_tsfmicroseq_demo-long.py --frames 200
"""
import argparse
import os
import subprocess
import sys
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.memory import rss_mb

RECURRENT = 'recurrent'


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


def build(args):
    import torch
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    if not os.path.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: config not found')
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        from mmaction_tsfmicro.apis.inference import init_model
        model = init_model(args.config, args.checkpoint)
    model.eval()
    size = int((cfg.get('face_alignment') or {}).get('size', 96))
    return model, size


class Methods:
    """The per-frame methods on one model, each with what it keeps."""

    def __init__(self, model, size: int, windows) -> None:
        import torch
        self.torch = torch
        self.model = model
        self.windows = list(windows)
        gen = torch.Generator().manual_seed(0)
        self.frames = [torch.randn(1, 3, size, size, generator=gen)
                       for _ in range(32)]
        self.state = model.init_state(1)
        self.buffer = []

    def names(self):
        return [RECURRENT] + [f'window {w}' for w in self.windows]

    def push(self, t: int):
        """The frame of time ``t``; the window buffer keeps the last ones."""
        frame = self.frames[t % len(self.frames)]
        self.buffer.append(frame)
        if len(self.buffer) > max(self.windows):
            self.buffer.pop(0)
        return frame

    def run(self, name: str, frame) -> float:
        """One frame's spotting score by ``name``."""
        torch = self.torch
        with torch.no_grad():
            if name == RECURRENT:
                spot, _, self.state = self.model.step(frame, self.state)
                return float(spot[0])
            w = int(name.split()[1])
            clip = torch.stack(self.buffer[-w:], dim=2)  # (1, 3, W, H, W)
            feats = self.model.backbone.forward_frames(clip)
            spot, _ = self.model.head.probabilities(feats[:, -1])
            return float(spot[0])

    def kept_bytes(self, name: str) -> int:
        """What a method keeps between frames, in bytes."""
        if name == RECURRENT:
            from mmaction_tsfmicro.models.common import state_numel
            return 4 * state_numel(self.state)
        w = int(name.split()[1])
        return sum(f.numel() * 4 for f in self.buffer[-w:])


def timed(methods: Methods, num: int):
    """Every method on every frame, in a rotating order."""
    names = methods.names()
    warm = max(methods.windows)
    for t in range(warm):  # fill the window and the state
        frame = methods.push(t)
        if t >= warm - 3:
            for name in names:
                methods.run(name, frame)
        else:
            methods.run(RECURRENT, frame)
    times = {n: [] for n in names}
    for t in range(warm, warm + num):
        frame = methods.push(t)
        k = t % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            methods.run(name, frame)
            times[name].append(time.perf_counter() - t0)
    return times


def long_run(methods: Methods, num: int, blocks: int = 5):
    """The recurrent form alone over ``num`` frames: time and state by
    block of the video."""
    import numpy as np
    methods.state = methods.model.init_state(1)
    size = max(1, num // blocks)
    rows, start = [], 0
    for b in range(blocks):
        times = []
        for t in range(start, start + size):
            frame = methods.frames[t % len(methods.frames)]
            t0 = time.perf_counter()
            methods.run(RECURRENT, frame)
            times.append(time.perf_counter() - t0)
        start += size
        rows.append((start, 1000 * float(np.median(times)),
                     methods.kept_bytes(RECURRENT)))
    return rows


def memory_probe(args) -> int:
    """Child process: the highest resident memory while one method runs
    over a few frames, above the memory before it (sampled every
    millisecond by a thread; large blocks go back to the system when
    freed, so each call's peak shows)."""
    import threading
    model, size = build(args)
    methods = Methods(model, size, args.windows)
    name = args.memory_probe
    warm = max(methods.windows)
    for t in range(warm):
        methods.push(t)
    methods.run(RECURRENT, methods.frames[0])  # the state's tensors exist
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.001)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    for t in range(warm, warm + 5):
        methods.run(name, methods.push(t))
    done.set()
    thread.join()
    peak[0] = max(peak[0], rss_mb())
    print(f'PEAK {peak[0] - before:.2f}')
    return 0


def probe(args, name: str) -> float:
    cmd = [sys.executable, os.path.abspath(__file__), args.config,
           '--threads', str(args.threads), '--memory-probe', name,
           '--windows', *map(str, args.windows)]
    if args.checkpoint:
        cmd += ['--checkpoint', args.checkpoint]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith('PEAK '):
            return float(line.split()[1])
    raise RuntimeError(f'memory probe of {name} failed: '
                       f'{(out.stderr.strip().splitlines() or ["?"])[-1]}')


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
    print(f'{args.frames} frames of {size}x{size}, torch threads '
          f'{args.threads}, methods alternating frame by frame\n')
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
    growth = rows[-1][1] / rows[0][1]
    constant = len({kept for _, _, kept in rows}) == 1
    print(f'\nrecurrent vs {longest}: {speedup:.1f}x faster (needs >= 10x: '
          f'{"yes" if speedup >= 10 else "NO"}); state constant over '
          f'{args.long} frames: {"yes" if constant else "NO"}; time of the '
          f'last block / first block: {growth:.2f}')
    return 0


if __name__ == '__main__':
    run_main(main)
