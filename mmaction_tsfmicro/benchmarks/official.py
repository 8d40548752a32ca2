"""The plugin timed against the official TSFmicro code, side by side
(``tools/analysis_tools/benchmark.py``).

Methods (:class:`PluginMethod`, :class:`OfficialMethod`) time a training
step and inference on the same inputs, alternating, so that both see the
same machine; the official model runs in its own virtual environment,
served over a pipe by ``tools/official/benchmark_official.py``, with the
plugin's weights converted (:mod:`~mmaction_tsfmicro.models.
official_checkpoint`). :func:`bench_arch` measures one backbone preset.
"""
import contextlib
import json
import os
import os.path as osp
import shutil
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

import torch

from ..utils.memory import PeakRSS
from .model import REPO, build_model
from .model import config_for as preset_config

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py')  # --memory-probe
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
    """The model config of a backbone preset (:func:`.model.config_for`:
    the preset's own ``configs/_base_/models/tsfmicro_<arch>.py`` if there
    is one, else the paper config with ``backbone.arch`` set)."""
    return preset_config(arch, None)


def build_plugin(arch: str, num_classes: int):
    """The plugin's recognizer of a preset and its input size."""
    model, size = build_model(config_for(arch), arch, num_classes, None)
    return model, tuple(size)


def complexity(model: torch.nn.Module, size: Tuple[int, int]) -> int:
    """MMEngine's FLOPs (multiply-adds) of one sample, backbone to head."""
    from ..apis.complexity import recognizer_flops
    return recognizer_flops(model, (1, 1, 3, 2, *size))


def logits_of(model: torch.nn.Module, onset: torch.Tensor,
              apex: torch.Tensor) -> torch.Tensor:
    """The recognizer's logits for normalized (N, 3, H, W) pairs."""
    inputs = torch.stack([onset, apex], dim=2).unsqueeze(1)
    return model._forward(inputs, stage='head')


class Method:
    """One timed implementation: ``run(op, batch)`` runs ``train`` or
    ``forward`` once: ``(seconds, peak_mb)``, the peak (a sampling thread
    on the CPU) only with ``memory=True``, else None."""

    name: str

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
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
        self.samples = [ActionDataSample().set_gt_label(i % classes)
                        for i in range(n)]
        for s in self.samples:
            s.gt_label = s.gt_label.to(device)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=8e-4,
                                           weight_decay=0.6)
        # AMP: float16 with a loss scaler on CUDA; bfloat16 on the CPU (no
        # scaler: bfloat16 has float32's exponent range)
        self.amp_dtype = torch.float16 if device == 'cuda' else torch.bfloat16
        self.scaler = torch.amp.GradScaler('cuda') \
            if amp and device == 'cuda' else None

    def _context(self):
        from mmaction_tsfmicro.models.backbones.fast_paths import plain_path
        stack = contextlib.ExitStack()
        if self.plain:
            stack.enter_context(plain_path())
        if self.amp:
            stack.enter_context(
                torch.autocast(self.device, dtype=self.amp_dtype))
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

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
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
        sampler = PeakRSS() if memory else contextlib.nullcontext()
        with sampler:
            start = time.perf_counter()
            fn(batch)
            seconds = time.perf_counter() - start
        return seconds, sampler.mb if memory else None


class OfficialMethod(Method):
    """The official model in its own environment, over a pipe."""

    def __init__(self, python: str, repo: str, threads: int,
                 num_classes: int, tmp: str, name: str = OFFICIAL,
                 device: str = 'cpu') -> None:
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
             str(num_classes), '--device', device],
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

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
        reply = self.ask(op=op, batch=batch, memory=memory)
        return reply['seconds'], reply['peak_mb']

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps(dict(op='quit')) + '\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


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
    print(f'PEAK {method.run(op, batch, memory=True)[1]:.2f}', flush=True)
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
            return worker.run(op, batch, memory=True)[1]
        finally:
            worker.close()
    cmd = [sys.executable, TOOL, '--threads',
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
    order rotating; median and minimum seconds (no memory sampler runs:
    the peak memory comes from :func:`probe_memory`)."""
    for m in methods:
        for _ in range(warmup):
            m.run(op, batch)
    times: Dict[str, List[float]] = {m.name: [] for m in methods}
    for r in range(rounds):
        k = r % len(methods)
        for m in methods[k:] + methods[:k]:
            times[m.name].append(m.run(op, batch)[0])
    return {
        name: dict(median=statistics.median(t), min=min(t),
                   per_sample=statistics.median(t) / batch,
                   throughput=batch / statistics.median(t),
                   peak_mb=None)
        for name, t in times.items()
    }


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
        from ..models.official_checkpoint import load_official_weights
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
