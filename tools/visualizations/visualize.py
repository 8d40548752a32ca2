"""Explain a trained TSFmicro: where and how it looks (docs/explain.md).

``gradcam``: attribution maps of the temporal and the spatial branch for
chosen samples, over the face (Grad-CAM on the branches' last feature maps
and integrated gradients at their inputs), one PNG per sample::

    python tools/visualizations/visualize.py gradcam CONFIG CHECKPOINT \\
        --sample SUBJECT/CLIP [--sample ...] --out DIR [--target-class NAME]

or, for a clip in no annotation file (a video, a frame folder, an onset/
apex pair; ``CONFIG`` may be ``-``: the one the checkpoint holds), prepared
as ``tools/infer.py`` prepares it, the key frames it used in the title::

    python tools/visualizations/visualize.py gradcam - CHECKPOINT \\
        --clip VIDEO [--onset N --apex M] --out DIR

``tsne``: t-SNE of the fused features of every sample of the annotation
file under the model of one LOSO fold, its held-out subject marked::

    python tools/visualizations/visualize.py tsne LOSO_WORK_DIR --out FILE.png \\
        [--fold SUBJECT]

An error stops the tool with one line on stderr (``TSFMICRO_DEBUG=1``
shows the traceback).
"""
import argparse

import mmaction_tsfmicro.plugin  # noqa: F401  (registers the plugin)
from mmaction_tsfmicro.engine import CfgOptionsAction, load_config
from mmaction_tsfmicro.engine.cfg_options import merge_cfg_options
from mmaction_tsfmicro.explain import embed_fold, explain_samples
from mmaction_tsfmicro.explain.commands import explain_clip
from mmaction_tsfmicro.explain.inputs import default_device
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--device',
        default=None,
        help=f'where the model runs, e.g. cpu or cuda:0 (default: '
        f'{default_device()})')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        default={},
        help='override settings of the config, as key=value pairs (e.g. '
        'test_dataloader.dataset.data_prefix.img=DIR)')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        prog='visualize.py',
        description='Explain a trained TSFmicro: attribution maps of its '
        'branches, t-SNE of its fused features (docs/explain.md)')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True

    cam = sub.add_parser(
        'gradcam',
        help='attribution maps of the temporal and spatial branches',
        description='Grad-CAM (last feature maps) and integrated gradients '
        '(inputs) of the temporal branch (over |apex - onset|) and of the '
        'spatial branch (over the onset) of each sample, one PNG per sample '
        'in --out')
    cam.add_argument('config', help='the model\'s config file ("-" with '
                     '--clip: the one the checkpoint holds)')
    cam.add_argument('checkpoint', help='its checkpoint')
    source = cam.add_mutually_exclusive_group(required=True)
    source.add_argument(
        '--sample',
        action='append',
        metavar='SUBJECT/CLIP',
        help='a sample of the config\'s annotation file (repeatable)')
    source.add_argument(
        '--clip',
        nargs='+',
        metavar='INPUT',
        help='a video, a frame folder, or onset and apex images (as '
        'tools/infer.py takes them)')
    cam.add_argument('--onset', type=int,
                     help='--clip: the onset frame (else the first)')
    cam.add_argument('--apex', type=int,
                     help='--clip: the apex frame (else estimated)')
    cam.add_argument('--out', required=True, metavar='DIR',
                     help='folder of the PNGs (<subject>_<clip>.png)')
    cam.add_argument(
        '--target-class',
        metavar='NAME',
        help='the class whose score is explained (default: the predicted '
        'class)')
    cam.add_argument(
        '--steps',
        type=int,
        default=16,
        metavar='N',
        help='points of the integrated gradients\' path integral '
        '(default: 16)')
    _common(cam)

    emb = sub.add_parser(
        'tsne',
        help='t-SNE of the fused features under one LOSO fold\'s model',
        description='t-SNE of the fused features (neck output, mean over '
        'positions) of every sample of the annotation file, under the model '
        'of one fold of a LOSO run; the fold\'s held-out subject is drawn '
        'as stars')
    emb.add_argument('work_dir', metavar='LOSO_WORK_DIR',
                     help='a work dir of tools/loso.py')
    emb.add_argument('--out', required=True, metavar='FILE.png',
                     help='the PNG')
    emb.add_argument('--fold', metavar='SUBJECT',
                     help='the fold (its test subject); default: the first')
    emb.add_argument('--seed', type=int, default=0,
                     help='t-SNE random seed (default: 0)')
    emb.add_argument('--perplexity', type=float, default=30.,
                     help='t-SNE perplexity, capped at (N - 1) / 3 '
                     '(default: 30)')
    _common(emb)
    args = parser.parse_args(argv)
    if args.command == 'gradcam' and args.clip is None and (
            args.onset is not None or args.apex is not None
            or args.config == '-'):
        parser.error('--onset, --apex and the config "-" go with --clip')
    if args.command == 'tsne' and not args.out.lower().endswith('.png'):
        parser.error(f'--out {args.out}: the picture must end with .png')
    return args


def clip_input(args: argparse.Namespace) -> dict:
    """The clip of ``--clip`` as ``inference_clip`` takes it."""
    import os.path as osp
    paths = args.clip
    if len(paths) == 2:
        return dict(frames=paths)
    if len(paths) > 2:
        raise ValueError('--clip takes a video, a folder, or two images')
    (path, ) = paths
    if not osp.exists(path):
        raise FileNotFoundError(f'{path}: not found')
    key = 'frame_dir' if osp.isdir(path) else 'video'
    return {key: path, 'onset': args.onset, 'apex': args.apex}


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.command == 'gradcam' and args.clip:
        done = explain_clip(None if args.config == '-' else args.config,
                            args.checkpoint, clip_input(args), args.out,
                            args.target_class, args.device, args.steps)
        print(f'{done.path}: {done.sample}, predicted {done.predicted} '
              f'(p={done.probability:.2f}), maps for {done.target}')
    elif args.command == 'gradcam':
        cfg = load_config(args.config)
        if args.cfg_options:
            merge_cfg_options(cfg, args.cfg_options, args.config)
        for done in explain_samples(cfg, args.checkpoint, args.sample,
                                    args.out, args.target_class,
                                    args.device, args.steps):
            print(f'{done.path}: {done.sample}, true {done.label}, '
                  f'predicted {done.predicted} (p={done.probability:.2f}), '
                  f'maps for {done.target}')
    else:
        done = embed_fold(
            args.work_dir,
            args.out,
            subject=args.fold,
            seed=args.seed,
            perplexity=args.perplexity,
            device=args.device,
            cfg_options=args.cfg_options)
        held = int(done.held_out.sum())
        print(f'{done.path}: {len(done.coords)} samples embedded with the '
              f'model of fold {done.fold.subject} ({done.checkpoint}); '
              f'{held} of them held out ({done.fold.subject})')


if __name__ == '__main__':
    run_main(main, prog='visualize.py')
