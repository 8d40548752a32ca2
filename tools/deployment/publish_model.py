"""Publish a trained checkpoint: weights, class names and preprocessing in
one file named by its hash.

Drops the optimizer, scheduler and message-hub state, keeps the training
config and the dataset's class names, records the face preprocessing of
the training frames (``--preprocess-report``: the run report of
``tools/data/preprocess_faces.py``), writes ``OUT-<sha256[:8]>.pth``
atomically, then loads it back (checking the hash) and checks that it
predicts exactly what the training checkpoint predicts.

Example::

    python tools/deployment/publish_model.py work_dirs/zoo_demo_all/epoch_30.pth \\
        checkpoints/tsfmicro_tiny_demo_all-subjects \\
        --preprocess-report data/demo/faces112/preprocess_report.json
"""
import argparse
import os

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.apis.publish import (preprocessing_from_report,
                                            publish_checkpoint)
from mmaction_tsfmicro.apis.release_check import same_predictions
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Publish a checkpoint: strip training state, record '
        'class names and preprocessing, name it by its SHA-256')
    parser.add_argument('checkpoint', help='a checkpoint of tools/train.py')
    parser.add_argument('out', help='DIR/name of the release file '
                        '(-<sha256[:8]>.pth is appended)')
    parser.add_argument(
        '--preprocess-report', metavar='JSON',
        help='preprocess_report.json of the faces the model was trained on '
        '(recorded so that tools/infer.py aligns new clips the same way)')
    parser.add_argument('--description', default='',
                        help='what the model is, recorded in its meta')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    preprocessing = (preprocessing_from_report(args.preprocess_report)
                     if args.preprocess_report else None)
    extra = dict(description=args.description) if args.description else {}
    path = publish_checkpoint(args.checkpoint, args.out, preprocessing,
                              extra)
    try:
        same_predictions(args.checkpoint, path)
    except BaseException:
        os.remove(path)  # a release that does not predict as trained
        raise
    print(f'wrote {path} (it predicts what {args.checkpoint} predicts)')
    return 0


if __name__ == '__main__':
    run_main(main)
