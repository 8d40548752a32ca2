"""The streaming spotter's recurrent form against re-running the parallel
form over a sliding window, frame by frame on the same model
(``tools/analysis_tools/benchmark_stream.py``).
"""
import os
import subprocess
import sys
import time

from ..utils.memory import rss_mb

RECURRENT = 'recurrent'


#: The tool, started again to measure one method's memory.
TOOL = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'tools', 'analysis_tools',
    'benchmark_stream.py')


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
    """The per-frame methods on one model, each with what it keeps.

    ``window W`` re-runs the whole parallel form (frame encoder and
    retention) over the last W frames; ``cached W`` keeps the last W frame
    features, encodes only the new frame and re-runs the retention's
    parallel form over the cached features (its inputs are the stream's:
    the difference to the previous frame for ``diff_prev``, to the first
    for ``diff_first``); ``recurrent`` steps the state.
    """

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
        self.first = None
        self.cache = {w: [] for w in self.windows}

    def names(self):
        return [RECURRENT] + [f'window {w}' for w in self.windows] + \
            [f'cached {w}' for w in self.windows]

    def push(self, t: int):
        """The frame of time ``t``; the window buffer keeps the last ones."""
        frame = self.frames[t % len(self.frames)]
        if self.first is None:
            self.first = frame
        self.buffer.append(frame)
        if len(self.buffer) > max(self.windows) + 1:
            self.buffer.pop(0)
        return frame

    def _encoder_input(self, pos: int):
        """The frame encoder's input for ``self.buffer[pos]``."""
        backbone = self.model.backbone
        frame = self.buffer[pos]
        if backbone.input_mode == 'diff_prev':
            prev = self.buffer[pos - 1] if len(self.buffer) + pos > 0 \
                else frame
            return frame - prev
        if backbone.input_mode == 'diff_first':
            return frame - self.first
        return frame

    def prime(self) -> None:
        """Fill every feature cache with the buffered frames (untimed)."""
        with self.torch.no_grad():
            for w in self.windows:
                self.cache[w] = [
                    self.model.backbone.encode_frames(self._encoder_input(p))
                    for p in range(-min(w, len(self.buffer)), 0)]

    def run(self, name: str, frame) -> float:
        """One frame's spotting score by ``name`` (``frame`` is the last
        pushed)."""
        torch = self.torch
        backbone = self.model.backbone
        with torch.no_grad():
            if name == RECURRENT:
                spot, _, self.state = self.model.step(frame, self.state)
                return float(spot[0])
            kind, w = name.split()
            w = int(w)
            if kind == 'cached':
                cache = self.cache[w]
                cache.append(backbone.encode_frames(self._encoder_input(-1)))
                del cache[:-w]
                return self.cached_score(w)
            clip = torch.stack(self.buffer[-w:], dim=2)  # (1, 3, W, H, W)
            spot, _ = self.model.head.probabilities(
                backbone.forward_frames(clip)[:, -1])
            return float(spot[0])

    def cached_score(self, w: int) -> float:
        """The spotting score of the last frame from the cached features of
        ``cached w`` (the retention's parallel form over them)."""
        with self.torch.no_grad():
            feats = self.model.backbone.temporal(
                self.torch.stack(self.cache[w], dim=1), None, 'parallel',
                None)[0]
            spot, _ = self.model.head.probabilities(feats[:, -1])
        return float(spot[0])

    def kept_bytes(self, name: str) -> int:
        """What a method keeps between frames, in bytes."""
        if name == RECURRENT:
            from mmaction_tsfmicro.models.common import state_numel
            return 4 * state_numel(self.state)
        kind, w = name.split()
        w = int(w)
        if kind == 'cached':  # the features and the reference frame
            return sum(f.numel() * 4 for f in self.cache[w]) + \
                self.buffer[-1].numel() * 4
        return sum(f.numel() * 4 for f in self.buffer[-w:])


def timed(methods: Methods, num: int):
    """Every method on every frame, in a rotating order."""
    names = methods.names()
    warm = max(methods.windows) + 3
    for t in range(warm):  # fill the window, the caches and the state
        frame = methods.push(t)
        if t == warm - 3:
            methods.prime()
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
    methods.prime()
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
    cmd = [sys.executable, TOOL, args.config,
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
