"""Train a recognizer with MMEngine's Runner (MMAction2's arguments)."""
import argparse
import os.path as osp
import sys

from mmengine.config import Config

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.apis import (add_train_args, build_runner,
                                    merge_train_args, set_local_rank)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a recognizer')
    parser.add_argument('config', help='train config file path')
    add_train_args(parser)
    args = parser.parse_args()
    set_local_rank(args)
    return args


def main() -> None:
    args = parse_args()
    try:
        cfg = merge_train_args(Config.fromfile(args.config), args)
    except (FileNotFoundError, KeyError, ValueError) as e:
        sys.exit(f'{osp.basename(__file__)}: error: {e}')
    build_runner(cfg).train()


if __name__ == '__main__':
    main()
