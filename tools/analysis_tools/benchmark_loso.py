"""Time ``tools/loso.py`` with different ``--jobs`` and ``--frame-cache``,
side by side.

Each setting runs the same folds of the same config from scratch into its
own temporary work dir, one after the other in this one invocation, and the
table gives the wall time, the time a fold and the ratio to the first
setting. The settings are every ``--jobs`` value with every
``--frame-cache`` value, and, with ``--checkout PATH``, the same settings
run by another checkout of this repository (its own ``tools/loso.py`` and
package, e.g. an older commit, to measure a change; if its
``tools/loso.py`` does not know ``--frame-cache``, it runs each ``--jobs``
once, without it).
The pooled numbers are printed too: with one thread a fold (as ``--jobs
N`` gives on N cores) and more threads the last digits of the scores may
differ.

Example (the demo set of ``make demo`` must exist)::

    git worktree add /tmp/before HEAD~3
    python tools/analysis_tools/benchmark_loso.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py \
        --subjects sub01,sub02,sub03,sub04 --jobs 1 2 \
        --frame-cache auto off --checkout /tmp/before
"""
import argparse
import os
import os.path as osp
import platform
import tempfile

from mmaction_tsfmicro.benchmarks.loso_speed import run_setting, settings
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Time tools/loso.py with different --jobs and '
        '--frame-cache')
    parser.add_argument('config')
    parser.add_argument('--subjects', required=True,
                        help='comma-separated subjects (the same for every '
                        'setting)')
    parser.add_argument('--jobs', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--frame-cache', nargs='+', default=['auto'],
                        choices=['auto', 'off'])
    parser.add_argument('--checkout', default=None,
                        help='another checkout of this repository to time '
                        'with the same settings')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args(argv)
    if args.checkout and not osp.isfile(
            osp.join(args.checkout, 'tools', 'loso.py')):
        parser.error(f'--checkout {args.checkout}: no tools/loso.py there')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    folds = len([s for s in args.subjects.split(',') if s])
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix='benchmark_loso_') as tmp:
        for i, setting in enumerate(settings(args)):
            print(f'[benchmark_loso] {setting["label"]}', flush=True)
            rows.append(run_setting(args, setting, osp.join(tmp, f'run{i}')))
    print(f'{args.config}, {folds} folds, {os.cpu_count()} cores '
          f'({platform.processor() or platform.machine()}), load average '
          f'{load:.2f} before the runs, {os.getloadavg()[0]:.2f} after\n')
    print('| setting | threads a fold | wall | a fold | speed-up over the '
          'first | pooled UF1 |')
    print('|---|---|---|---|---|---|')
    for row in rows:
        threads = max(1, (os.cpu_count() or 1) // row['jobs'])
        print(f"| {row['label']} | {threads} | {row['seconds']:.0f} s | "
              f"{row['seconds'] / folds:.1f} s | "
              f"{rows[0]['seconds'] / row['seconds']:.2f}x | "
              f"{row['report']['uf1']:.4f} |")


if __name__ == '__main__':
    run_main(main)
