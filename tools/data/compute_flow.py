"""Onset-to-apex optical flow and optical strain of every annotated sample.

Reads each sample's onset and apex frames (normally the aligned crops of
tools/data/preprocess_faces.py), computes the flow with TV-L1, DIS or
Farneback and its optical strain, and saves ``u, v, strain`` as a float16
(H, W, 3) ``.npy`` per sample at ``DST/<subject>/<clip>/flow_<onset>_<apex>
.npy``. The ``LoadFlow`` transform reads them back.

Example::

    python tools/data/compute_flow.py --dataset casme2 \\
        --ann data/casme2/annotations.json --src data/casme2/aligned \\
        --dst data/casme2/flow_tvl1 --method tvl1 --workers 2

See docs/preprocessing.md.
"""
import argparse
import os.path as osp
import sys
import time

from mmaction_tsfmicro.preprocessing.clips import records_of, summarize
from mmaction_tsfmicro.preprocessing.flow import FLOW_METHODS
from mmaction_tsfmicro.preprocessing.flow_jobs import (FlowConfig,
                                                       flow_samples, run_flow)
from mmaction_tsfmicro.annotations.layouts import LAYOUTS, get_template
from mmaction_tsfmicro.preprocessing.runner import write_report

REPORT_FILE = 'flow_report.json'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Onset-to-apex optical flow and strain per sample.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--dataset', required=True,
                        help='dataset whose records are processed')
    parser.add_argument('--ann', required=True,
                        help='normalized annotation JSON')
    parser.add_argument('--src', required=True,
                        help='frame root (the aligned crops)')
    parser.add_argument('--dst', required=True, help='flow root')
    parser.add_argument(
        '--layout', help=f'frame layout of --src ({", ".join(LAYOUTS)} or a '
        'template); defaults to --dataset')
    parser.add_argument('--method', choices=FLOW_METHODS, default='tvl1',
                        help='optical flow method')
    parser.add_argument('--tvl1-scales', type=int, default=5,
                        help='TV-L1 pyramid levels')
    parser.add_argument('--tvl1-warps', type=int, default=5,
                        help='TV-L1 warps per level')
    parser.add_argument('--tvl1-epsilon', type=float, default=0.01,
                        help='TV-L1 stopping threshold (0.02: about twice '
                        'as fast)')
    parser.add_argument('--dis-preset', default='medium',
                        choices=('ultrafast', 'fast', 'medium'),
                        help='DIS preset')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes')
    parser.add_argument('--overwrite', action='store_true',
                        help='recompute samples whose file exists')
    parser.add_argument(
        '--report', help=f'run report JSON; defaults to DST/{REPORT_FILE}')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def method_options(args: argparse.Namespace) -> dict:
    """The options of the chosen method only (recorded in flow_meta.json)."""
    if args.method == 'tvl1':
        return dict(scales=args.tvl1_scales, warps=args.tvl1_warps,
                    epsilon=args.tvl1_epsilon)
    if args.method == 'dis':
        return dict(dis_preset=args.dis_preset)
    return {}


def main(argv=None) -> int:
    args = parse_args(argv)
    layout = args.layout or args.dataset
    try:
        get_template(layout)
        samples = flow_samples(records_of(args.ann, args.dataset))
        cfg = FlowConfig(
            src=args.src,
            dst=args.dst,
            layout=layout,
            method=args.method,
            options=method_options(args),
            overwrite=args.overwrite)
        start = time.perf_counter()
        results = run_flow(
            samples, cfg, workers=args.workers,
            progress=not args.no_progress)
    except (KeyError, ValueError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) else exc
        print(f'error: {msg}', file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    report = args.report or osp.join(args.dst, REPORT_FILE)
    write_report(
        report,
        results,
        extra=dict(
            dataset=args.dataset,
            ann=osp.abspath(args.ann),
            src=osp.abspath(args.src),
            dst=osp.abspath(args.dst),
            method=args.method,
            options=cfg.options,
            seconds=round(elapsed, 2)))
    print(summarize(results).replace('clips:', 'samples:', 1))
    print(f'report: {report} ({elapsed:.1f} s)')
    return 1 if any(r.status == 'failed' for r in results) else 0


if __name__ == '__main__':
    sys.exit(main())
