"""The side-by-side runs of ``tools/analysis_tools/benchmark.py``: methods
alternating round by round (:func:`alternate`), one backbone preset
measured against the official code (:func:`bench_arch`), and the peak
memory of each method, op and batch, each in a fresh process
(:func:`probe_memory`, :func:`memory_probe`)."""
import os
import os.path as osp
import statistics
import subprocess
import sys
from typing import Dict, List

import torch

from .model import REPO
from .official import (OFFICIALS, PLAIN, PLUGIN, TOOL, BenchmarkError, Method,
                       OfficialMethod, PluginMethod, build_plugin, complexity,
                       config_for, logits_of)


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
