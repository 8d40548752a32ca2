"""Train a model-zoo checkpoint: a LOSO recipe on every subject, published.

The config is the one whose LOSO (``tools/loso.py CONFIG``) gives the
numbers; here nothing is held out. After training, the last checkpoint is
published as ``tools/deployment/publish_model.py`` does (optimizer state dropped,
class names and face preprocessing in its meta, named by its SHA-256,
checked to predict what it was trained to), next to its training log.

Example (4 GPUs; one GPU: ``python tools/deployment/train_release.py ...``)::

    torchrun --nproc_per_node 4 tools/deployment/train_release.py \\
        configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py --launcher pytorch \\
        --name tsfmicro_casme2 --out-dir checkpoints

The face preprocessing is read from ``preprocess_report.json`` in the
training frame folder when ``tools/data/preprocess_faces.py`` wrote one
there (``--preprocess-report`` names another; frames not aligned by the
plugin, such as the CASME II ``Cropped`` release, have none).
"""
import argparse
import os.path as osp

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    from mmaction_tsfmicro.engine import add_train_args
    parser = ArgumentParser(
        description='Train a config on every subject and publish it')
    parser.add_argument('config', help='the LOSO config of the recipe')
    parser.add_argument(
        '--name', help='release name (default: the config name + '
        '"_all-subjects"); -<sha256[:8]>.pth is appended')
    parser.add_argument('--out-dir', default='checkpoints',
                        help='folder of the release file and its log')
    parser.add_argument('--preprocess-report', metavar='JSON',
                        help='preprocess_report.json of the training faces '
                        '(default: the one in the training frame folder)')
    parser.add_argument('--description', default='',
                        help='what the model is, recorded in its meta')
    add_train_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: config not found')
    if args.preprocess_report and not osp.isfile(args.preprocess_report):
        raise FileNotFoundError(f'{args.preprocess_report}: '
                                'preprocess report not found')
    from mmaction_tsfmicro.utils.fileio import check_output_path
    check_output_path(args.out_dir, folder=True, option='--out-dir')
    from mmengine.dist import is_main_process

    import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
    from mmaction_tsfmicro.engine import (build_runner, load_config,
                                        merge_train_args, set_local_rank)
    from mmaction_tsfmicro.engine.all_subjects import (all_subjects_config,
                                                     find_preprocess_report)
    from mmaction_tsfmicro.apis.publish import (preprocessing_from_report,
                                                publish_checkpoint)
    from mmaction_tsfmicro.apis.release_check import same_predictions
    from mmaction_tsfmicro.utils.fileio import write_bytes
    set_local_rank(args)
    name = args.name or (osp.splitext(osp.basename(args.config))[0] +
                         '_all-subjects')
    cfg = merge_train_args(load_config(args.config), args)
    if args.work_dir is None:
        cfg.work_dir = osp.join('work_dirs', name)
    cfg = all_subjects_config(cfg)
    report = args.preprocess_report or find_preprocess_report(cfg)
    preprocessing = preprocessing_from_report(report) if report else None
    runner = build_runner(cfg)
    runner.train()
    if not is_main_process():
        return 0
    last = osp.join(cfg.work_dir, 'last_checkpoint')
    with open(last) as f:
        checkpoint = f.read().strip()
    extra = dict(description=args.description) if args.description else {}
    path = publish_checkpoint(checkpoint, osp.join(args.out_dir, name),
                              preprocessing, extra)
    same_predictions(checkpoint, path)
    log = osp.join(runner.log_dir, osp.basename(runner.log_dir) + '.log')
    if osp.isfile(log):
        with open(log, 'rb') as f:
            write_bytes(path[:-4] + '.log', f.read())
    print(f'wrote {path} (trained on every subject of {args.config}; '
          f"preprocessing: {report or 'none recorded'})")
    return 0


if __name__ == '__main__':
    run_main(main)
