"""Convert a state_dict of the official TSFmicro model to this plugin
(:mod:`mmaction_tsfmicro.models.official_checkpoint`): every tensor renamed
to the plugin's ``Recognizer3D`` layout, checked against a model built from
``--config``, the classifier's rows reordered to ``--class-set``; the
result is an MMEngine checkpoint usable as ``load_from``.

Example::

    python tools/official/convert_official_checkpoint.py \\
        --class-set casme2_5 ts_micro_casme2.pth \\
        work_dirs/tsfmicro_from_official.pth
"""
import argparse
import os.path as osp
from typing import Callable, List, Optional

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.models.official_checkpoint import (
    OFFICIAL_CLASSES, build_reference, convert_official_checkpoint)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Convert an official TSFmicro (ts_micro) state_dict')
    parser.add_argument('src', help='official state_dict (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument(
        '--class-set', required=True, choices=sorted(OFFICIAL_CLASSES),
        help='the plugin\'s class set the checkpoint was trained for; the '
        'classifier rows are reordered from the official class order to it')
    parser.add_argument(
        '--config',
        default=osp.join(REPO, 'configs', '_base_', 'models', 'tsfmicro.py'),
        help='model config the checkpoint is for (paper-size, late fusion)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None,
         build: Callable = build_reference) -> None:
    args = parse_args(argv)
    print(convert_official_checkpoint(args.src, args.dst, args.class_set,
                                      args.config, build))


if __name__ == '__main__':
    run_main(main)
