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
  plugin loads them converted (``tools/official/convert_official_checkpoint.py``),
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
both the plugin and the official code run on the GPU (the official code
in float32, as its scripts run it).
``--amp`` runs the plugin under ``torch.autocast``: float16 with a loss
scaler on CUDA, bfloat16 on a CPU with bfloat16 units (the machine's peak
is then measured in that type; the official code runs in float32, as its
scripts do).

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

    python tools/analysis_tools/benchmark.py --arch paper tiny --batch-size 8 32 \
        --official /path/to/TSFmicro \
        --official-python /path/to/official-venv/bin/python \
        --data-config configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py --out work_dirs/bench.json
"""
import argparse
import sys
import tempfile
from typing import Dict, List, Optional

import torch

from mmaction_tsfmicro.benchmarks.machine import (load_average,
                                                  machine_description,
                                                  peak_macs)
from mmaction_tsfmicro.benchmarks.official import (OFFICIAL, OFFICIAL_TUNED,
                                                   OFFICIALS, OfficialMethod)
from mmaction_tsfmicro.benchmarks.side_by_side import bench_arch, memory_probe
from mmaction_tsfmicro.benchmarks.projections import (check_data_config,
                                                      data_throughput,
                                                      projections)
from mmaction_tsfmicro.benchmarks.report import report
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.fileio import write_json


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', nargs='+', default=['paper', 'tiny'],
                        help='backbone presets (default: paper tiny)')
    parser.add_argument('--batch-size', type=int, nargs='+', default=[8, 32])
    parser.add_argument('--num-classes', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch threads, each side')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument('--allocator', choices=['tuned', 'glibc'],
                        default='tuned',
                        help="the plugin's process: the allocator settings "
                        "of its training processes (tuned, the default) or "
                        "glibc's defaults")
    parser.add_argument('--amp', action='store_true',
                        help='autocast: float16 on CUDA, bfloat16 on a CPU '
                        'with bfloat16 units')
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
    if args.amp and args.device == 'cpu':
        from mmaction_tsfmicro.engine.optim_wrappers import cpu_has_bf16
        if not cpu_has_bf16():
            parser.error('--amp on the CPU needs bfloat16 units (AVX512-BF16 '
                         'or AMX); this CPU has neither')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch sees no CUDA device here')
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.memory_probe:
        return memory_probe(args)
    if args.data_config:
        check_data_config(args.data_config)
    from mmaction_tsfmicro.utils.allocator import tune_allocator

    # this process runs as the plugin's training processes do, unless
    # --allocator glibc (then glibc's defaults, as --official-allocator
    # default gives the official side: the code alone, with less memory)
    allocator = tune_allocator() if args.allocator == 'tuned' else False
    torch.set_num_threads(args.threads)
    results: Dict = dict(machine=machine_description(), torch=torch.__version__,
                         allocator='plugin' if allocator else 'default',
                         threads=args.threads, device=args.device,
                         amp=args.amp, load_before=load_average(),
                         argv=sys.argv[1:] if argv is None else argv)
    dtype = torch.float32
    if args.amp:
        dtype = torch.float16 if args.device == 'cuda' else torch.bfloat16
    results['peak_macs'] = peak_macs(args.device, dtype)
    if dtype != torch.float32:
        results['peak_macs_fp32'] = peak_macs(args.device, torch.float32)
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
                        name=name, device=args.device))
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
