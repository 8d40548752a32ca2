"""Time the TSFmicro model side by side: this plugin, its plain ops and the
official code, on the same machine, weights and inputs.

For each ``--arch`` and ``--batch-size`` the methods below run **in one
process tree at the same time**, alternating: every round runs each method
once, in an order that rotates from round to round, so that they share the
machine's load; each figure is the median (and the minimum) over the
rounds, after ``--warmup`` untimed runs of each.

* ``plugin``: the plugin's ``Recognizer3D``, fast paths on (the default);
* ``plugin, plain ops``: the same model under
  :func:`~mmaction_tsfmicro.models.backbones.fast_paths.plain_path`;
* ``official`` (``--official REPO``, paper arch only): the official
  ``ts_micro`` in its own environment (``--official-python``), served by
  ``tools/official/benchmark_official.py``. It makes the weights; the
  plugin loads them converted (``tools/convert_official_checkpoint.py``),
  both get the same normalized onset/apex pairs, and the tool prints the
  largest difference of their logits.

The tool's own process, where the plugin runs, applies the allocator
settings of the plugin's training processes (glibc keeps freed memory
instead of unmapping it; ``mmaction_tsfmicro/utils/allocator.py``). The
official model runs
with glibc's defaults, as its own scripts do (``official``), and with the
same settings as the plugin (``official, plugin's allocator``), so that
the ratios show both what a user gets and what the code alone gives
(``--official-allocator``).

A **training step** is the forward, the cross-entropy loss, the backward
and an AdamW step; **inference** is the forward in eval mode without
gradients, from the normalized pair to the logits (the plugin's backbone,
neck and head; no data preprocessor, no softmax). With ``--device cuda``
the plugin runs on the GPU (``--amp``: under ``torch.autocast`` with
float16); the official side is timed on the CPU only.

Also printed: parameters and FLOPs (MMEngine's count, one multiply-add
per FLOP), the peak memory of each method (CPU: the highest rise of the
resident memory during its first run, in a fresh process for each method,
op and batch, so that memory another run freed but the allocator kept
hides nothing; CUDA: ``max_memory_allocated`` above what was allocated
before the run), the
machine's measured peak (a large matrix product, same threads and dtype)
and the fraction of it each method reaches (a training step counted as
three forwards), the data pipeline's throughput (``--data-config``), the
projected time of a full CASME II LOSO, and its projection on a GPU from
the GPU's peak (``--gpu-tflops``) and an efficiency (``--gpu-efficiency``)
that are stated, not measured.

Example::

    python tools/benchmark.py --arch paper tiny --batch-size 8 32 \\
        --official /path/to/TSFmicro \\
        --official-python /path/to/official-venv/bin/python \\
        --data-config configs/tsfmicro_demo.py --out work_dirs/bench.json
"""
import argparse
import copy
import json
import os
import os.path as osp
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

import torch

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.fileio import write_json
from mmaction_tsfmicro.utils.memory import PeakRSS
from mmaction_tsfmicro.utils.modules import load_script

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# the presets' configs, builder and CPU name of the per-preset timer
PRESETS = load_script(osp.join(REPO, 'tools', 'benchmark_model.py'),
                      'benchmark_model')
OFFICIAL_WORKER = osp.join(REPO, 'tools', 'official',
                           'benchmark_official.py')
PLUGIN, PLAIN, OFFICIAL = 'plugin', 'plugin, plain ops', 'official'
#: The official model in a process with the plugin's allocator settings.
OFFICIAL_TUNED = "official, plugin's allocator"
OFFICIALS = (OFFICIAL, OFFICIAL_TUNED)
# CASME II under LOSO as the paper trains it: 26 folds (subjects), 174
# epochs a fold (the official schedule), about 240 training pairs a fold.
CASME2_LOSO = dict(folds=26, epochs=174, samples=240)


class BenchmarkError(RuntimeError):
    """A benchmark that cannot run as asked (one line, for the user)."""


def config_for(arch: str) -> str:
    """The model config of a backbone preset (``tools/benchmark_model.py``
    chooses it: the preset's own ``configs/_base_/models/tsfmicro_<arch>.py``
    if there is one, else the paper config with ``backbone.arch`` set)."""
    return PRESETS.config_for(arch, None)


def build_plugin(arch: str, num_classes: int):
    """The plugin's recognizer of a preset and its input size."""
    model, size = PRESETS.build_model(config_for(arch), arch, num_classes,
                                      None)
    return model, tuple(size)


def complexity(model: torch.nn.Module, size: Tuple[int, int]) -> int:
    """MMEngine's FLOPs (multiply-adds) of one sample, backbone to head."""
    from mmaction_tsfmicro.apis.complexity import recognizer_flops
    return recognizer_flops(model, (1, 1, 3, 2, *size))


def logits_of(model: torch.nn.Module, onset: torch.Tensor,
              apex: torch.Tensor) -> torch.Tensor:
    """The recognizer's logits for normalized (N, 3, H, W) pairs."""
    inputs = torch.stack([onset, apex], dim=2).unsqueeze(1)
    return model._forward(inputs, stage='head')


class Method:
    """One timed implementation: ``train(batch)`` and ``forward(batch)``
    each run once and return ``(seconds, peak_mb)``."""

    name: str

    def run(self, op: str, batch: int) -> Tuple[float, float]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PluginMethod(Method):
    """The plugin's model, fast or plain ops, on ``device``."""

    def __init__(self, name: str, model: torch.nn.Module,
                 onset: torch.Tensor, apex: torch.Tensor, device: str,
                 amp: bool, plain: bool) -> None:
        from mmaction.structures import ActionDataSample
        self.name = name
        self.model = model
        self.device = device
        self.amp = amp
        self.plain = plain
        self.inputs = torch.stack([onset, apex], dim=2).unsqueeze(1).to(
            device)
        n = len(onset)
        classes = model.cls_head.num_classes
        self.samples = [
            ActionDataSample().set_gt_label(i % classes) for i in range(n)
        ]
        for s in self.samples:
            s.gt_label = s.gt_label.to(device)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=8e-4,
                                           weight_decay=0.6)
        self.scaler = torch.amp.GradScaler('cuda') if amp else None

    def _context(self):
        import contextlib

        from mmaction_tsfmicro.models.backbones.fast_paths import plain_path
        stack = contextlib.ExitStack()
        if self.plain:
            stack.enter_context(plain_path())
        if self.amp:
            stack.enter_context(
                torch.autocast('cuda', dtype=torch.float16))
        return stack

    def _train(self, batch: int) -> None:
        self.model.train()
        with self._context():
            losses = self.model(self.inputs[:batch], self.samples[:batch],
                                mode='loss')
            loss, _ = self.model.parse_losses(losses)
        self.optimizer.zero_grad()
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()

    def _forward(self, batch: int) -> None:
        self.model.eval()
        with torch.no_grad(), self._context():
            self.model._forward(self.inputs[:batch], stage='head')

    def run(self, op: str, batch: int) -> Tuple[float, float]:
        fn = self._train if op == 'train' else self._forward
        if self.device == 'cuda':
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            start = time.perf_counter()
            fn(batch)
            torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            return seconds, (torch.cuda.max_memory_allocated() - base) / 2**20
        with PeakRSS() as peak:
            start = time.perf_counter()
            fn(batch)
            seconds = time.perf_counter() - start
        return seconds, peak.mb


class OfficialMethod(Method):
    """The official model in its own environment, over a pipe."""

    def __init__(self, python: str, repo: str, threads: int,
                 num_classes: int, tmp: str, name: str = OFFICIAL) -> None:
        if not osp.isfile(osp.join(repo, 'classes', 'model', 'ts_micro.py')):
            raise BenchmarkError(
                f'--official {repo}: no classes/model/ts_micro.py; give a '
                'checkout of the official TSFmicro repository')
        if shutil.which(python) is None and not osp.isfile(python):
            raise BenchmarkError(
                f'--official-python {python}: not found; give the python '
                "of the official code's environment (torch, torchvision, "
                'timm)')
        from mmaction_tsfmicro.utils.allocator import MALLOC_ENV
        self.name = name
        self.tmp = tmp
        self.state_path = osp.join(
            tmp, f'official_state_dict_{OFFICIALS.index(name)}.pth')
        # glibc's defaults, as the official scripts run, or the settings
        # the plugin's training processes run with
        env = {k: v for k, v in os.environ.items() if k not in MALLOC_ENV}
        if name == OFFICIAL_TUNED:
            env.update(MALLOC_ENV)
        self.proc = subprocess.Popen(
            [python, OFFICIAL_WORKER, '--official-repo', repo, '--state-out',
             self.state_path, '--threads', str(threads), '--num-classes',
             str(num_classes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            bufsize=1, env=env)
        self.info = self._read()

    def _read(self) -> Dict:
        for line in self.proc.stdout:
            if line.startswith('@@ '):
                reply = json.loads(line[3:])
                if 'error' in reply:
                    raise BenchmarkError(f'official worker: {reply["error"]}')
                return reply
        raise BenchmarkError(
            'the official worker stopped (exit code '
            f'{self.proc.wait()}); run tools/official/benchmark_official.py '
            'by hand with the same --official-repo to see why')

    def ask(self, **request) -> Dict:
        self.proc.stdin.write(json.dumps(request) + '\n')
        self.proc.stdin.flush()
        return self._read()

    def run(self, op: str, batch: int) -> Tuple[float, float]:
        reply = self.ask(op=op, batch=batch)
        return reply['seconds'], reply['peak_mb']

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps(dict(op='quit')) + '\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def load_official_weights(model: torch.nn.Module, path: str) -> None:
    """Convert the official state_dict at ``path`` into ``model``
    (strict: every tensor of the model is set)."""
    conv = load_script(
        osp.join(REPO, 'tools', 'convert_official_checkpoint.py'))
    official = torch.load(path, map_location='cpu', weights_only=True)
    state = conv.convert(official, model.state_dict())
    model.load_state_dict(state, strict=True)


def memory_probe(args) -> int:
    """Child process: the peak memory of one method's first run of one op
    (``--memory-probe ARCH OP BATCH PLAIN``), printed as ``PEAK <MB>``.
    A fresh process for each, so that no earlier run's freed memory,
    kept by the allocator, hides this one's."""
    arch, op, batch, plain = args.memory_probe
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, size = build_plugin(arch, args.num_classes)
    batch = int(batch)
    onset = torch.randn(batch, 3, *size)
    apex = onset + 0.5 * torch.randn(batch, 3, *size)
    method = PluginMethod(PLUGIN, model, onset, apex, 'cpu', False,
                          plain=plain == 'plain')
    print(f'PEAK {method.run(op, batch)[1]:.2f}', flush=True)
    return 0


def probe_memory(arch: str, op: str, batch: int, name: str, args,
                 tmp: str) -> float:
    """The peak memory (MB) of a method's first ``op`` at ``batch``,
    measured in a fresh process."""
    if name in OFFICIALS:
        worker = OfficialMethod(args.official_python or sys.executable,
                                args.official, args.threads,
                                args.num_classes, tmp, name=name)
        try:
            gen = torch.Generator().manual_seed(1)
            onset = torch.randn(batch, 3, 224, 224, generator=gen)
            path = osp.join(tmp, 'probe_inputs.pth')
            torch.save(dict(onset=onset, apex=onset + 0.5), path)
            worker.ask(op='inputs', path=path)
            return worker.run(op, batch)[1]
        finally:
            worker.close()
    cmd = [sys.executable, osp.abspath(__file__), '--threads',
           str(args.threads), '--num-classes', str(args.num_classes),
           '--memory-probe', arch, op, str(batch),
           'plain' if name == PLAIN else 'fast']
    from mmaction_tsfmicro.utils.allocator import MALLOC_ENV
    out = subprocess.run(cmd, capture_output=True, text=True, check=False,
                         env=dict(os.environ, **MALLOC_ENV))
    for line in out.stdout.splitlines():
        if line.startswith('PEAK '):
            return float(line.split()[1])
    raise BenchmarkError(f'memory probe of {name} ({arch}, {op}, batch '
                         f'{batch}) failed: '
                         f'{(out.stderr.strip().splitlines() or ["?"])[-1]}')


def alternate(methods: List[Method], op: str, batch: int, warmup: int,
              rounds: int) -> Dict[str, Dict[str, float]]:
    """Warm every method up, then ``rounds`` rounds of each method once, the
    order rotating; median and minimum seconds and the peak memory."""
    for m in methods:
        for _ in range(warmup):
            m.run(op, batch)
    times: Dict[str, List[float]] = {m.name: [] for m in methods}
    peaks: Dict[str, float] = {m.name: 0.0 for m in methods}
    for r in range(rounds):
        k = r % len(methods)
        for m in methods[k:] + methods[:k]:
            seconds, peak = m.run(op, batch)
            times[m.name].append(seconds)
            peaks[m.name] = max(peaks[m.name], peak)
    return {
        name: dict(median=statistics.median(t), min=min(t),
                   per_sample=statistics.median(t) / batch,
                   throughput=batch / statistics.median(t),
                   peak_mb=peaks[name])
        for name, t in times.items()
    }


def peak_macs(device: str, dtype: torch.dtype, n: int = 2048,
              repeats: int = 5) -> float:
    """Multiply-adds per second of an n x n x n matrix product (the best of
    ``repeats``), the machine's practical peak for dense compute."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    best = float('inf')
    for _ in range(repeats + 1):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if device == 'cuda':
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return n**3 / best


def check_data_config(config: str):
    """The config of ``--data-config``, once its annotation file is found
    (checked before any timing, so that a wrong path fails at once)."""
    from mmaction_tsfmicro.engine.runner_args import load_config
    cfg = load_config(config)
    ann = cfg.train_dataloader.dataset.get('ann_file')
    if ann and not osp.isfile(ann):
        raise BenchmarkError(
            f'--data-config {config}: annotation file {ann} not found (run '
            'it from the folder its paths are relative to, after `make '
            'demo` for the demo configs)')
    return cfg


def data_throughput(config: str, samples: int,
                    tmp: str) -> List[Dict[str, object]]:
    """Samples a second of a config's training pipeline, reading the frame
    files and reading the frame cache that ``tools/loso.py`` builds."""
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    from mmaction_tsfmicro.loso.frames import (prepare_frame_cache,
                                               use_frame_cache)

    cfg = check_data_config(config)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    start = time.perf_counter()
    cache = prepare_frame_cache(cfg, tmp)
    cache_seconds = time.perf_counter() - start
    rows = []
    for label, folder in (('frame files', None), ('frame cache', cache)):
        if label == 'frame cache' and folder is None:
            continue
        read = copy.deepcopy(cfg)
        use_frame_cache(read, folder)
        dataset = DATASETS.build(read.train_dataloader.dataset)
        num = min(samples, len(dataset))
        dataset[0]  # warm up (imports, lazy tables)
        start = time.perf_counter()
        for i in range(num):
            dataset[i]
        seconds = time.perf_counter() - start
        rows.append(dict(source=label, samples=num,
                         throughput=num / seconds,
                         build_seconds=cache_seconds
                         if folder is not None else None))
    return rows


def loso_projection(train_throughput: float,
                    folds: int = CASME2_LOSO['folds'],
                    epochs: int = CASME2_LOSO['epochs'],
                    samples: int = CASME2_LOSO['samples']) -> Dict:
    """Hours of a full LOSO at a training throughput (samples/s); the test
    passes (one subject a fold, about 3 % of the samples, 1/3 of a training
    sample's cost each) are left out."""
    total = folds * epochs * samples
    return dict(folds=folds, epochs=epochs, samples=samples,
                training_samples=total,
                hours=total / train_throughput / 3600)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', nargs='+', default=['paper', 'tiny'],
                        help='backbone presets (default: paper tiny)')
    parser.add_argument('--batch-size', type=int, nargs='+', default=[8, 32])
    parser.add_argument('--num-classes', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch threads, each side')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument('--amp', action='store_true',
                        help='float16 autocast (CUDA only)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--rounds', type=int, default=5,
                        help='timed runs of each method')
    parser.add_argument('--no-plain', action='store_true',
                        help='leave out the plain-ops row')
    parser.add_argument('--official', metavar='REPO', default=None,
                        help='checkout of the official TSFmicro code: time '
                        'it too (paper arch)')
    parser.add_argument('--official-python', default=None,
                        help="python of the official code's environment "
                        '(default: this python)')
    parser.add_argument(
        '--official-allocator', choices=['default', 'plugin', 'both'],
        default='both', help="the official process with glibc's default "
        "allocator (as its scripts run), with the plugin's settings "
        '(mmaction_tsfmicro/utils/allocator.py), or both (default)')
    parser.add_argument('--data-config', default=None,
                        help='also time this config\'s training pipeline')
    parser.add_argument('--data-samples', type=int, default=200)
    parser.add_argument('--gpu-tflops', type=float, default=None,
                        help='a GPU\'s dense peak (TFLOP/s, one multiply-add '
                        'counted as 2, as data sheets do) for the GPU '
                        'projection')
    parser.add_argument('--gpu-efficiency', type=float, default=0.3,
                        help='the fraction of --gpu-tflops assumed reached')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak-memory probes (CPU: a fresh '
                        'process for each method, op and batch)')
    parser.add_argument('--memory-probe', nargs=4, default=None,
                        help=argparse.SUPPRESS)
    parser.add_argument('--out', default=None, help='also write JSON here')
    args = parser.parse_args(argv)
    if args.amp and args.device != 'cuda':
        parser.error('--amp needs --device cuda')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch sees no CUDA device here')
    return args


def load_average() -> str:
    try:
        return ' '.join(f'{x:.2f}' for x in os.getloadavg())
    except (AttributeError, OSError):
        return 'n/a'


def bench_arch(arch: str, args, tmp: str,
               officials: List[OfficialMethod]) -> Dict:
    """Every batch size of one preset, every method alternating."""
    torch.manual_seed(0)
    model, size = build_plugin(arch, args.num_classes)
    flops = complexity(model, size)
    params = sum(p.numel() for p in model.parameters())
    result = dict(arch=arch, config=osp.relpath(config_for(arch), REPO),
                  size=list(size), params=params, flops=flops, batches={})
    use_official = bool(officials) and arch == 'paper'
    official = officials[0] if use_official else None
    if use_official:
        load_official_weights(model, official.state_path)
    n = max(args.batch_size)
    gen = torch.Generator().manual_seed(1)
    onset = torch.randn(n, 3, *size, generator=gen)
    apex = onset + 0.5 * torch.randn(n, 3, *size, generator=gen)
    if use_official:
        path = osp.join(tmp, f'inputs_{arch}.pth')
        torch.save(dict(onset=onset, apex=apex), path)
        for worker in officials:
            worker.ask(op='inputs', path=path)
        model.eval()
        with torch.no_grad():
            mine = logits_of(model, onset, apex)
        theirs_path = osp.join(tmp, 'official_logits.pth')
        official.ask(op='logits', path=theirs_path)
        theirs = torch.load(theirs_path)
        result['official_logits_max_abs_diff'] = float(
            (mine - theirs).abs().max())
        result['official_same_argmax'] = bool(
            (mine.argmax(1) == theirs.argmax(1)).all())
    model = model.to(args.device)
    methods: List[Method] = [
        PluginMethod(PLUGIN, model, onset, apex, args.device, args.amp,
                     plain=False)
    ]
    if not args.no_plain:
        twin = build_plugin(arch, args.num_classes)[0]
        twin.load_state_dict(model.state_dict())
        methods.append(
            PluginMethod(PLAIN, twin.to(args.device), onset, apex,
                         args.device, args.amp, plain=True))
    if use_official:
        methods.extend(officials)
    for batch in args.batch_size:
        entry = {}
        for op in ('train', 'forward'):
            print(f'[benchmark] {arch}, batch {batch}, {op}: '
                  f'{", ".join(m.name for m in methods)} alternating',
                  flush=True)
            entry[op] = alternate(methods, op, batch, args.warmup,
                                  args.rounds)
            if args.device == 'cpu':
                for name, row in entry[op].items():
                    row['peak_mb'] = None if args.no_memory else \
                        probe_memory(arch, op, batch, name, args, tmp)
        result['batches'][str(batch)] = entry
    return result


def mb(value: Optional[float]) -> str:
    return '-' if value is None else f'{value:.0f}'


def fmt_ms(s: float) -> str:
    return f'{s * 1e3:.0f}' if s >= 0.1 else f'{s * 1e3:.1f}'


def report(results: Dict, args) -> str:
    """The Markdown tables of a run."""
    peak = results['peak_macs']
    lines = [
        f"{results['machine']}; torch {results['torch']}; "
        f"{args.threads} threads; device {args.device}"
        f"{' (AMP float16)' if args.amp else ''}; median (min) of "
        f'{args.rounds} rounds after {args.warmup} warm-up runs, methods '
        f"alternating; load average {results['load_before']} before, "
        f"{results['load_after']} after; the plugin's process with "
        f"{results.get('allocator', 'default')} allocator settings",
        '',
        f"Measured peak: {peak / 1e9:.1f} G multiply-adds/s "
        f"({2 * peak / 1e9:.1f} GFLOP/s counting the multiply and the add; "
        'a 2048 x 2048 matrix product, same threads and dtype).',
        '',
        '| arch | batch | method | train step | train samples/s | '
        'inference | inference samples/s | peak MB train / inference | '
        'fraction of peak train / inference |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for r in results['archs']:
        for batch, entry in r['batches'].items():
            for name, tr in entry['train'].items():
                fw = entry['forward'][name]
                frac_t = 3 * r['flops'] * tr['throughput'] / peak
                frac_f = r['flops'] * fw['throughput'] / peak
                lines.append(
                    f"| {r['arch']} | {batch} | {name} | "
                    f"{fmt_ms(tr['median'])} ms ({fmt_ms(tr['min'])}) | "
                    f"{tr['throughput']:.1f} | "
                    f"{fmt_ms(fw['median'])} ms ({fmt_ms(fw['min'])}) | "
                    f"{fw['throughput']:.1f} | "
                    f"{mb(tr['peak_mb'])} / {mb(fw['peak_mb'])} | "
                    f'{100 * frac_t:.1f} % / {100 * frac_f:.1f} % |')
    lines += ['', '| arch | params | FLOPs / sample | input |',
              '|---|---|---|---|']
    for r in results['archs']:
        lines.append(f"| {r['arch']} | {r['params'] / 1e6:.2f} M | "
                     f"{r['flops'] / 1e9:.3f} G | "
                     f"{r['size'][0]}x{r['size'][1]} |")
    ratios = []
    for r in results['archs']:
        for batch, entry in r['batches'].items():
            for op, label in (('train', 'train step'),
                              ('forward', 'inference')):
                times = entry[op]
                for other in OFFICIALS + (PLAIN, ):
                    if other in times:
                        ratios.append(
                            f"| {r['arch']} | {batch} | {label} | {other} | "
                            f"{times[other]['median'] / times[PLUGIN]['median']:.2f}x |")  # noqa: E501
    if ratios:
        lines += ['', '| arch | batch | step | plugin against | speed-up '
                  '(their median / plugin median) |', '|---|---|---|---|---|']
        lines += ratios
    for r in results['archs']:
        if 'official_logits_max_abs_diff' in r:
            lines += ['', f"Same weights and inputs ({r['arch']}): logits "
                      'max abs difference plugin - official '
                      f"{r['official_logits_max_abs_diff']:.3g}, same argmax: "
                      f"{r['official_same_argmax']}."]
    proj = results.get('projection')
    if proj:
        lines += ['', 'Projected full CASME II LOSO (paper model, '
                  f"{proj['folds']} folds x {proj['epochs']} epochs x "
                  f"{proj['samples']} training samples = "
                  f"{proj['training_samples']:,} training samples):", '']
        for row in proj['rows']:
            lines.append(f"- {row['what']}: {row['arithmetic']} = "
                         f"**{row['hours']:.1f} h**")
    if results.get('data'):
        lines += ['', f"Data pipeline ({results['data_config']}, training "
                  'pipeline, one process):', '',
                  '| frames from | samples | samples/s | cache built in |',
                  '|---|---|---|---|']
        for row in results['data']:
            built = ('-' if row['build_seconds'] is None else
                     f"{row['build_seconds']:.1f} s")
            lines.append(f"| {row['source']} | {row['samples']} | "
                         f"{row['throughput']:.1f} | {built} |")
    return '\n'.join(lines)


def projections(results: Dict, args) -> Optional[Dict]:
    paper = [r for r in results['archs'] if r['arch'] == 'paper']
    if not paper:
        return None
    r = paper[0]
    batch = str(max(int(b) for b in r['batches']))
    rows = []
    base = loso_projection(1.0)
    for name, tr in r['batches'][batch]['train'].items():
        hours = loso_projection(tr['throughput'])['hours']
        rows.append(dict(
            what=f'{name}, {args.device}, batch {batch}, measured',
            arithmetic=f"{base['training_samples']:,} / "
            f"{tr['throughput']:.2f} samples/s / 3600", hours=hours))
    if args.gpu_tflops:
        macs = args.gpu_tflops * 1e12 / 2 * args.gpu_efficiency
        rate = macs / (3 * r['flops'])
        rows.append(dict(
            what=f'a GPU of {args.gpu_tflops:g} TFLOP/s at '
            f'{100 * args.gpu_efficiency:.0f} % of it (assumed, not '
            'measured)',
            arithmetic=f"{base['training_samples']:,} x 3 x "
            f"{r['flops'] / 1e9:.3f} G multiply-adds / "
            f"({args.gpu_tflops:g}e12 / 2 x {args.gpu_efficiency:g}) / 3600",
            hours=base['training_samples'] / rate / 3600))
    return dict(base, rows=rows)


def _machine() -> str:
    return f'{PRESETS.cpu_name()} ({os.cpu_count()} logical CPUs)'


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.memory_probe:
        return memory_probe(args)
    if args.data_config:
        check_data_config(args.data_config)
    from mmaction_tsfmicro.utils.allocator import tune_allocator
    # this process runs as the plugin's training processes do
    allocator = tune_allocator()
    torch.set_num_threads(args.threads)
    results: Dict = dict(machine=_machine(), torch=torch.__version__,
                         allocator='plugin' if allocator else 'default',
                         threads=args.threads, device=args.device,
                         amp=args.amp, load_before=load_average(),
                         argv=sys.argv[1:] if argv is None else argv)
    dtype = torch.float16 if args.amp else torch.float32
    results['peak_macs'] = peak_macs(args.device, dtype)
    with tempfile.TemporaryDirectory(prefix='tsfmicro_bench_') as tmp:
        officials: List[OfficialMethod] = []
        try:
            if args.official:
                names = dict(default=(OFFICIAL, ), plugin=(OFFICIAL_TUNED, ),
                             both=OFFICIALS)[args.official_allocator]
                for name in names:
                    officials.append(OfficialMethod(
                        args.official_python or sys.executable,
                        args.official, args.threads, args.num_classes, tmp,
                        name=name))
                results['official_torch'] = officials[0].info['torch']
            results['archs'] = [
                bench_arch(arch, args, tmp, officials) for arch in args.arch
            ]
        finally:
            for worker in officials:
                worker.close()
        if args.data_config:
            results['data_config'] = args.data_config
            results['data'] = data_throughput(args.data_config,
                                              args.data_samples, tmp)
    results['load_after'] = load_average()
    results['projection'] = projections(results, args)
    text = report(results, args)
    print(text)
    if args.out:
        write_json(args.out, dict(results, report=text))
    return 0


if __name__ == '__main__':
    run_main(main)
