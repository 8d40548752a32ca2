"""Time ``tools/loso.py`` with different ``--jobs``, side by side.

Each setting runs the same folds of the same config from scratch into its
own temporary work dir, one after the other in this one invocation, and the
table gives the wall time, the time a fold and the ratio to the first
setting. The pooled numbers are printed too: with one thread a fold (as
``--jobs N`` gives on N cores) and more threads the last digits of the
scores may differ.

Example (the demo set of ``make demo`` must exist)::

    python tools/benchmark_loso.py configs/tsfmicro_demo.py \\
        --subjects sub01,sub02,sub03,sub04 --jobs 1 2 \\
        --cfg-options train_dataloader.dataset.ann_file=... \\
        test_dataloader.dataset.ann_file=...
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import tempfile
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Time tools/loso.py with different --jobs')
    parser.add_argument('config')
    parser.add_argument('--subjects', required=True,
                        help='comma-separated subjects (the same for every '
                        'setting)')
    parser.add_argument('--jobs', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--cfg-options', nargs='+', default=[])
    return parser.parse_args(argv)


def run_loso(args, jobs: int, work_dir: str) -> dict:
    cmd = [
        sys.executable, 'tools/loso.py', args.config, '--work-dir', work_dir,
        '--subjects', args.subjects, '--jobs', str(jobs)
    ]
    if args.cfg_options:
        cmd += ['--cfg-options'] + args.cfg_options
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.time() - start
    if proc.returncode != 0:
        sys.exit(f'benchmark_loso: --jobs {jobs} failed:\n'
                 f'{proc.stdout[-2000:]}{proc.stderr[-2000:]}')
    with open(osp.join(work_dir, 'loso_report.json')) as f:
        report = json.load(f)
    return dict(jobs=jobs, seconds=seconds, report=report)


def main(argv=None) -> None:
    args = parse_args(argv)
    folds = len([s for s in args.subjects.split(',') if s])
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix='benchmark_loso_') as tmp:
        for jobs in args.jobs:
            rows.append(run_loso(args, jobs, osp.join(tmp, f'jobs{jobs}')))
    print(f'{args.config}, {folds} folds, {os.cpu_count()} cores '
          f'({platform.processor() or platform.machine()}), load average '
          f'{load:.2f} before the runs\n')
    print('| --jobs | threads a fold | wall | a fold | speed-up over --jobs '
          f'{rows[0]["jobs"]} | pooled UF1 |')
    print('|---|---|---|---|---|---|')
    for row in rows:
        threads = max(1, (os.cpu_count() or 1) // row['jobs'])
        print(f"| {row['jobs']} | {threads} | {row['seconds']:.0f} s | "
              f"{row['seconds'] / folds:.1f} s | "
              f"{rows[0]['seconds'] / row['seconds']:.2f}x | "
              f"{row['report']['uf1']:.4f} |")


if __name__ == '__main__':
    run_main(main)
