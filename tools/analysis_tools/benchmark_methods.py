"""Run several methods through the same LOSO protocol and tabulate them.

Every method (a config, or an entry of a list file such as
``configs/baselines/demo_methods.py``) runs through ``tools/loso.py``'s
own machinery (:func:`mmaction_tsfmicro.loso.run_loso`) once per seed,
each (method, seed) in its own work dir ``WORK_DIR/<name>/seed<S>`` (the
name with each run of characters other than letters, digits and ``._-`` as
``_``), on the same subjects, with the same last-epoch protocol. A run
that finished earlier is read from its ``loso_report.json``, not run again
(after checking that its config, seed, subjects and options are still
those asked for); an interrupted one is resumed. The Markdown table
(pooled UF1 / UAR / accuracy per seed, their mean and spread, parameters,
FLOPs, LOSO time and the exact ``tools/loso.py`` command of each row; for
TSFmicro rows also the numbers of epoch selection on the test subject,
labelled optimistic) is written atomically to ``--out``: between the
markers ``<!-- benchmark_methods:begin -->`` and
``<!-- benchmark_methods:end -->`` of an existing file, or as the whole
file.
``WORK_DIR/benchmark.json`` holds the same numbers.

Example (the demo set of ``make demo`` must exist)::

    python tools/analysis_tools/benchmark_methods.py configs/baselines/demo_methods.py \
        --work-dir work_dirs/benchmark_demo --seeds 0 1 \
        --out docs/results.md

A list file is a Python (or YAML) file with ``methods = [...]``; each
entry is a config path or a dict with ``config`` and optionally ``name``,
``paper``, ``cfg_options`` (a dict, merged as ``--cfg-options``) and
``select_on_test`` (default: True for TSFmicro backbones). See
docs/results.md.
"""
import argparse
import os.path as osp
import shlex
import sys

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.benchmarks.loso_methods import (SUMMARY_JSON,
                                                       BenchmarkError,
                                                       load_methods,
                                                       run_methods)
from mmaction_tsfmicro.benchmarks.results_table import (render_table, summary,
                                                        write_out)
from mmaction_tsfmicro.utils.cli import ArgumentParser, one_line, run_main
from mmaction_tsfmicro.utils.fileio import write_json


# ---------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Run methods through the same LOSO folds and seeds and '
        'write a Markdown table of their pooled scores')
    parser.add_argument('methods', nargs='+',
                        help='configs and/or list files (methods = [...])')
    parser.add_argument('--work-dir', required=True,
                        help='one folder per method and seed inside it')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='random seeds, every method runs each')
    parser.add_argument('--out', required=True,
                        help='Markdown file for the table (between the '
                        'markers if it exists)')
    parser.add_argument(
        '--subjects',
        type=lambda s: [x for x in s.split(',') if x],
        help='comma-separated subjects (default: every subject)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='folds run at once (tools/loso.py --jobs)')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads a fold (tools/loso.py --threads)')
    parser.add_argument('--keep-checkpoints', choices=['last', 'none'],
                        default='none',
                        help="checkpoints of a finished fold (default none: "
                        "a benchmark keeps its scores, not its weights)")
    args = parser.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds has repeats: {args.seeds}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        methods = load_methods(args.methods)
    except (BenchmarkError, FileNotFoundError) as e:
        print(f'benchmark_methods.py: error: {one_line(e)}', file=sys.stderr)
        return 2
    command = shlex.join(
        ['python', 'tools/analysis_tools/benchmark_methods.py'] +
        list(sys.argv[1:] if argv is None else argv))
    rows = run_methods(methods, args)
    failed = any(r['status'] == 'failed' for row in rows
                 for r in row['runs'])
    section = render_table(rows, args.seeds, command)
    write_json(osp.join(args.work_dir, SUMMARY_JSON),
               dict(command=command, seeds=args.seeds,
                    rows=[summary(row) for row in rows]))
    write_out(args.out, section)
    print(f'[benchmark] table: {args.out}')
    return 1 if failed else 0


if __name__ == '__main__':
    run_main(main)
