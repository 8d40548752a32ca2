"""Test (and evaluate) a checkpoint with MMEngine's Runner.

An error stops the tool with one line on stderr (``TSFMICRO_DEBUG=1``
shows the traceback).
"""
import argparse

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.engine import (add_common_args, build_runner,
                                      load_config, merge_test_args,
                                      process_group_scope, set_local_rank)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args() -> argparse.Namespace:
    parser = ArgumentParser(description='Test (and evaluate) a recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--show-dir', help='directory to save visualization images in')
    parser.add_argument(
        '--show', action='store_true', help='show predictions in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every N samples')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds a window stays')
    add_common_args(parser)
    args = parser.parse_args()
    set_local_rank(args)
    return args


def main() -> None:
    args = parse_args()
    cfg = merge_test_args(load_config(args.config), args)
    with process_group_scope():
        build_runner(cfg).test()


if __name__ == '__main__':
    run_main(main)
