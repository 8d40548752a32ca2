"""Time several folds' models trained as one (stacked with torch.func)
against the same models trained one after another.

For each ``--folds`` value K, K copies of the config's recognizer (the
demo config's TSFmicro-tiny by default) take a training step each on their
own batch of ``--batch-size`` random inputs, one model after another, and
then all at once as stacked tensors (``vmap(grad(loss))`` and one AdamW
step). Both start from the same weights and see the same batches; the
table gives, beside the two median times, the largest difference of their
first step's gradients (rounding only). A config whose model draws random
numbers in training (dropout, drop path), or that is not TSFmicro's, is
refused in one line. See ``mmaction_tsfmicro/benchmarks/
stacked_folds.py`` and docs/benchmarks.md.

Example::

    python tools/analysis_tools/benchmark_stacked_folds.py --folds 1 2 4 \
        --threads 1 [--device cuda] [--out stacked.json]
"""
import argparse
import os
from typing import List, Optional

import torch

from mmaction_tsfmicro.benchmarks.machine import cpu_name, load_average
from mmaction_tsfmicro.benchmarks.stacked_folds import compare, report
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.fileio import write_json

DEMO = 'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEMO,
                        help=f'model config (default {DEMO})')
    parser.add_argument('--folds', type=int, nargs='+', default=[1, 2, 4],
                        help='numbers of folds trained as one')
    parser.add_argument('--batch-size', type=int, default=32,
                        help="each fold's batch")
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--threads', type=int, default=None,
                        help='torch.set_num_threads (CPU)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--out', default=None,
                        help='also write the rows and the table as JSON')
    args = parser.parse_args(argv)
    if not os.path.isfile(args.config):
        parser.error(f'--config {args.config}: no such file')
    if any(k < 1 for k in args.folds):
        parser.error('--folds: each value must be at least 1')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch sees no CUDA device here')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    load_before = load_average()
    # a config the tool cannot time is one line (run_main)
    rows = [compare(args.config, k, args.batch_size, args.device,
                    warmup=args.warmup, iters=args.iters)
            for k in args.folds]
    device = (torch.cuda.get_device_name(0) if args.device == 'cuda' else
              f'{cpu_name()}, {torch.get_num_threads()} threads')
    header = (f'{args.config}, batch {args.batch_size} a fold, {device}, '
              f'torch {torch.__version__}; median of {args.iters} steps '
              f'after {args.warmup}; 1-min load average {load_before} '
              f'before, {load_average()} after')
    text = report(rows, header)
    print(text)
    if args.out:
        write_json(args.out, dict(rows=rows, report=text))


if __name__ == '__main__':
    run_main(main)
