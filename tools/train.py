"""Train a recognizer with MMEngine's Runner (MMAction2's arguments).

An error stops the tool with one line on stderr (``TSFMICRO_DEBUG=1``
shows the traceback).
"""
import argparse

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.engine import (add_train_args, build_runner,
                                      load_config, merge_train_args,
                                      process_group_scope, set_local_rank)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args() -> argparse.Namespace:
    parser = ArgumentParser(description='Train a recognizer')
    parser.add_argument('config', help='train config file path')
    add_train_args(parser)
    args = parser.parse_args()
    set_local_rank(args)
    return args


def main() -> None:
    args = parse_args()
    cfg = merge_train_args(load_config(args.config), args)
    with process_group_scope():
        build_runner(cfg).train()


if __name__ == '__main__':
    run_main(main)
