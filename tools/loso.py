"""Leave-one-subject-out (LOSO) training and evaluation with a pooled
MEGC report.

One fold per subject of the config's test annotation file, each trained
afresh on the other subjects and tested on its subject with the weights of
the last epoch; the predictions of every fold are pooled into UF1, UAR and
accuracy (MEGC 2019). See docs/loso.md.

Examples::

    python tools/loso.py configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py \\
        --work-dir work_dirs/loso_casme2
    python tools/loso.py CONFIG --work-dir DIR --resume --jobs 2
    python tools/loso.py CONFIG --work-dir DIR --verbose --jobs 1
    torchrun --nproc_per_node=2 tools/loso.py CONFIG --work-dir DIR \\
        --launcher pytorch
    # one task of a Slurm array, one fold each, all into DIR
    python tools/loso.py CONFIG --work-dir DIR --fold $SLURM_ARRAY_TASK_ID
"""
import argparse
import sys

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.engine import add_common_args, set_local_rank
from mmaction_tsfmicro.loso import (FoldsFailed, LosoOptions, ProtocolError,
                                    run_loso)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def jobs_value(text: str):
    """``--jobs``: a positive number or ``auto`` (None)."""
    if text == 'auto':
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or 'auto', got {text!r}") from None


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Leave-one-subject-out training and MEGC evaluation')
    parser.add_argument('config', help='config of one fold (any subject)')
    parser.add_argument(
        '--subjects',
        type=lambda s: [x for x in s.split(',') if x],
        help='comma-separated subjects to run (default: every subject of '
        'the test annotation file)')
    parser.add_argument(
        '--fold',
        default=None,
        metavar='SUBJECT|INDEX',
        help='run only this fold of the run in --work-dir (a subject, or '
        'its 0-based index in the run\'s subjects, e.g. '
        '$SLURM_ARRAY_TASK_ID): one task of an array; the run is planned '
        'by the first task and the task that finishes the last fold writes '
        'the report')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='continue the run in --work-dir: finished folds are kept, an '
        'interrupted fold resumes from its last checkpoint')
    parser.add_argument(
        '--jobs',
        type=jobs_value,
        default=None,
        help='folds to run at once, each in its own process, or auto '
        '(default): one per GPU, else one per core (as memory allows, '
        '4 GB a fold)')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch threads per fold (default: all cores with one job, '
        'cores // jobs otherwise)')
    parser.add_argument(
        '--frame-cache',
        choices=['auto', 'off'],
        default='auto',
        help='auto (default): decode the frames the pipelines read once, '
        'into WORK_DIR/frame_cache, for every fold; off: read the files')
    parser.add_argument(
        '--allocator',
        choices=['tuned', 'glibc'],
        default='tuned',
        help="tuned (default): glibc settings that keep freed memory in the "
        'fold processes (faster on the CPU, docs/benchmarks.md); glibc: its '
        'defaults')
    parser.add_argument(
        '--verbose',
        action='store_true',
        help="show each fold's training log on the console (it always goes "
        "to the fold's worker.log)")
    parser.add_argument(
        '--keep-checkpoints',
        choices=['last', 'none'],
        default='last',
        help='checkpoints of a finished fold: keep the last epoch\'s '
        '(default) or none (checkpoints are written every epoch while a '
        'fold trains, for --resume)')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (default: '
        "the config's randomness.seed)")
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='deterministic CUDNN algorithms')
    parser.add_argument(
        '--select-on-test',
        action='store_true',
        help='also evaluate the test subject after every epoch and report '
        'the best epoch per fold: OPTIMISTIC numbers, reported beside the '
        'last-epoch ones')
    add_common_args(parser)
    args = parser.parse_args(argv)
    if not args.work_dir:
        parser.error('--work-dir is required')
    set_local_rank(args)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    opts = LosoOptions.from_args(
        args, ['tools/loso.py'] + list(sys.argv[1:] if argv is None else argv))
    try:
        report = run_loso(opts)
    except ProtocolError as e:
        print(f'tools/loso.py: error: {e}', file=sys.stderr)
        return 2
    except FoldsFailed as e:
        print(f'tools/loso.py: error: {e}', file=sys.stderr)
        return 1
    if report is None:  # ranks other than 0, or --fold with folds left
        return 0
    avg = report['per_fold_average']
    print(f"LOSO over {report['num_folds']} folds, {report['num_samples']} "
          f"samples: UF1 {report['uf1']:.4f}  UAR {report['uar']:.4f}  "
          f"accuracy {report['acc']:.4f} (pooled, MEGC)\n"
          f"per-fold average (not the MEGC metric): F1 {avg['uf1']:.4f}  "
          f"UAR {avg['uar']:.4f}  accuracy {avg['acc']:.4f}")
    sel = report.get('selected_on_test')
    if sel:
        print(f"selected on the test subject (OPTIMISTIC): UF1 "
              f"{sel['uf1']:.4f}  UAR {sel['uar']:.4f}  accuracy "
              f"{sel['acc']:.4f}")
    print(f'report: {args.work_dir}/loso_report.md')
    return 0


if __name__ == '__main__':
    run_main(main)
