"""Time the TSFmicro recognizer on the CPU: forward and training step.

For each ``--arch`` preset the plugin's ``Recognizer3D`` is timed on random
inputs at the preset's input size. The model config is ``--config`` if
given, else ``configs/_base_/models/tsfmicro_<arch>.py`` if it exists (e.g.
the tiny config with its narrower head), else the paper config; its backbone
arch is set to the preset and the neck/head widths follow the backbone:

* forward: ``mode='predict'`` in eval mode under ``torch.no_grad()``;
* training step: ``mode='loss'``, backward and an AdamW step.

Each figure is the median (and the minimum) over ``--iters`` timed runs after
``--warmup`` untimed ones; a Markdown table is printed with the machine, the
thread count and the load average (other processes on a shared machine slow
the runs down; the minimum is the least disturbed run).

With ``--profile`` it also prints where the time goes: the share of the
matrix products, convolutions, softmax and copies in each step. With
``--compile`` the backbone runs through ``torch.compile`` (static shapes),
and the first training step, which compiles it, is printed apart.

Example::

    python tools/analysis_tools/benchmark_model.py --arch paper small tiny \
        --batch-size 32 --threads 2 [--profile]
"""
import argparse
import os
from typing import List, Optional

import torch

from mmaction_tsfmicro.benchmarks.machine import cpu_name, load_average
from mmaction_tsfmicro.benchmarks.model import OP_KINDS, benchmark
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config', default=None,
        help='model config for every arch (default: per arch, see above)')
    parser.add_argument(
        '--arch', nargs='+', default=['paper', 'small', 'tiny'],
        help='backbone presets to time')
    parser.add_argument('--input-size', type=int, default=None,
                        help="override the presets' input size")
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--num-classes', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch.set_num_threads')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument(
        '--compile', action='store_true',
        help='run the backbone through torch.compile (static shapes); the '
        'first training step, which compiles it, is printed apart')
    parser.add_argument(
        '--profile', action='store_true',
        help='also print where the time goes: the share of matrix '
        'products, convolutions, softmax, copies and the rest')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    load_before = load_average()
    rows = [benchmark(arch, args) for arch in args.arch]
    print(f'CPU: {cpu_name()} ({os.cpu_count()} logical CPUs); torch '
          f'{torch.__version__}; {args.threads} threads; batch '
          f'{args.batch_size}; median (min) of {args.iters} runs after '
          f'{args.warmup} warm-up runs; 1-min load average '
          f'{load_before} before, {load_average()} after\n')
    print('| arch | config | input | params | forward / batch '
          '| train step / batch | train step / sample |')
    print('|---|---|---|---|---|---|---|')
    n = args.batch_size
    for r in rows:
        fwd, train = r['forward'], r['train']
        print(f"| {r['arch']} | {r['config']} | {r['size']} "
              f"| {r['params'] / 1e6:.2f} M "
              f"| {fwd[0] * 1e3:.0f} ms ({fwd[1] * 1e3:.0f}) "
              f"| {train[0] * 1e3:.0f} ms ({train[1] * 1e3:.0f}) "
              f"| {train[0] / n * 1e3:.1f} ms |")
    for r in rows:
        print(f"\n{r['arch']}: first training step "
              f"{r['first_train']:.1f} s"
              + (' (torch.compile compiling the backbone)' if args.compile
                 else '') + '; not in the table')
    if args.profile:
        kinds = list(OP_KINDS) + ['other']
        print('\nShare of the self CPU time (torch.profiler):\n')
        print('| arch | step | ' + ' | '.join(kinds) + ' |')
        print('|---|---|' + '---|' * len(kinds))
        for r in rows:
            for step, shares in r['shares'].items():
                print(f"| {r['arch']} | {step} | " + ' | '.join(
                    f'{shares[k] * 100:.0f} %' for k in kinds) + ' |')


if __name__ == '__main__':
    run_main(main)
