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

from mmaction_tsfmicro.annotations.layouts import LAYOUTS
from mmaction_tsfmicro.preprocessing.cli import (INPUT_ERRORS, add_input_args,
                                                 add_run_args, input_error,
                                                 read_records, run_and_report)
from mmaction_tsfmicro.preprocessing.flow import FLOW_METHODS
from mmaction_tsfmicro.preprocessing.flow_jobs import (FlowConfig,
                                                       flow_samples, run_flow)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPORT_FILE = 'flow_report.json'


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Onset-to-apex optical flow and strain per sample.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_input_args(
        parser,
        dataset_help='dataset whose records are processed',
        src_help='frame root (the aligned crops)',
        dst_help='flow root',
        layout_help=f'frame layout of --src ({", ".join(LAYOUTS)} or a '
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
    add_run_args(parser, REPORT_FILE)
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
    try:
        layout, records = read_records(args)
        samples = flow_samples(records)
        cfg = FlowConfig(
            src=args.src,
            dst=args.dst,
            layout=layout,
            method=args.method,
            options=method_options(args),
            overwrite=args.overwrite)
    except INPUT_ERRORS as exc:
        return input_error(exc)
    # run_flow refuses a root that holds flow of another method (a
    # ValueError): one line, like the errors of bad input above
    return run_and_report(
        args,
        lambda: run_flow(
            samples, cfg, workers=args.workers,
            progress=not args.no_progress),
        REPORT_FILE,
        settings=dict(method=args.method, options=cfg.options),
        noun='samples')


if __name__ == '__main__':
    run_main(main)
