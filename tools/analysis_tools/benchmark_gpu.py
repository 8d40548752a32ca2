"""The GPU measurements as one prepared run: the paper-size model against
the official code (float32 and AMP, batch 8 and 32), the demo LOSO and a
LOSO of CASME II's size on generated frames (float32 and AMP), several
folds' models trained as one against one after another, each step a
run of the project's own tools, gathered into ``OUT_DIR/report.md``
(:mod:`mmaction_tsfmicro.benchmarks.gpu_checks`).

Example (on a machine with a GPU; docs/benchmarks.md, "The GPU path")::

    python tools/analysis_tools/benchmark_gpu.py --out-dir work_dirs/gpu_checks \\
        --official /path/to/TSFmicro --official-python /path/to/official-venv/bin/python

Check the script on a CPU in minutes (small steps, meaningless numbers)::

    python tools/analysis_tools/benchmark_gpu.py --device cpu --dry-run \\
        --out-dir work_dirs/gpu_checks_dry
"""
import argparse

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', required=True,
                        help='where the logs, JSON and report.md go')
    parser.add_argument('--device', choices=['cuda', 'cpu'], default='cuda')
    steps = ['model', 'demo', 'casme2', 'stacked']
    parser.add_argument('--steps', nargs='+', default=steps, choices=steps)
    parser.add_argument('--official', help='a checkout of the official '
                        'TSFmicro code (the model step compares with it)')
    parser.add_argument('--official-python',
                        help="the python of the official code's environment")
    parser.add_argument('--demo-data', default='data/demo',
                        help='the demo set of make demo (default: data/demo)')
    parser.add_argument('--casme2-epochs', type=int, default=3,
                        help='epochs of each fold of the CASME II-size LOSO '
                        '(default: 3; the report projects 174)')
    parser.add_argument('--folds', type=int, default=3,
                        help='LOSO folds run by the demo and CASME II steps '
                        '(default: 3, the subjects of docs/results.md)')
    parser.add_argument('--dry-run', action='store_true',
                        help='every step small, to check the script')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmaction_tsfmicro.benchmarks.gpu_checks import run_checks
    return run_checks(args)


if __name__ == '__main__':
    run_main(main)
