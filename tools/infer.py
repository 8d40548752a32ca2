"""Classify one micro-expression clip with a trained model.

INPUT is an aligned onset/apex pair (two image files), a folder of
numbered frames with ``--onset``/``--apex`` (frame numbers as in the file
names), or a video with ``--onset``/``--apex`` (0-based frame indices) or
``--onset-time``/``--apex-time`` (seconds). Frames that are not aligned
(a video; a folder that ``tools/data/preprocess_faces.py`` did not write)
are aligned with the face preprocessing the checkpoint records, as its
training frames were (``--align``/``--no-align`` override the choice). It
prints every class with its score and the predicted class; ``--out``
writes the same as JSON.

Examples::

    python tools/infer.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py \\
        checkpoints/tsfmicro_tiny_demo_all-subjects-<hash>.pth \\
        clip.mp4 --onset 4 --apex 15
    python tools/infer.py CONFIG CKPT data/demo/faces112/sub05/EP03_01 \\
        --onset 153 --apex 161
    python tools/infer.py CONFIG CKPT onset.jpg apex.jpg --out result.json
"""
import argparse
import os.path as osp

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.utils.fileio import write_json

VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description='Classify one micro-expression clip')
    parser.add_argument(
        'config',
        help='the model\'s config ("-": the one '
        'stored in the checkpoint)')
    parser.add_argument(
        'checkpoint',
        help='a checkpoint (a released file '
        'is checked against its hash)')
    parser.add_argument(
        'inputs',
        nargs='+',
        metavar='INPUT',
        help='onset and apex images, a frame folder, or a '
        'video')
    parser.add_argument('--onset', type=int, help='onset frame')
    parser.add_argument('--apex', type=int, help='apex frame')
    parser.add_argument('--onset-time', type=float, help='onset (s, video)')
    parser.add_argument('--apex-time', type=float, help='apex (s, video)')
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--align',
        dest='align',
        action='store_true',
        default=None,
        help='align the frames')
    group.add_argument(
        '--no-align',
        dest='align',
        action='store_false',
        help='the frames are aligned already')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--out', metavar='JSON', help='write the result')
    args = parser.parse_args(argv)
    if len(args.inputs) > 2:
        parser.error('give two images, one folder or one video')
    return args


def _check_key_frames(args: argparse.Namespace, video: bool) -> None:
    for role in ('onset', 'apex'):
        if getattr(args, role) is None and getattr(args, f'{role}_time') \
                is None:
            raise ValueError(
                f'give the {role}: --{role} N' +
                (f' (0-based frame index) or --{role}-time S' if video else
                 ' (the frame number of its file name)'))


def clip_of(args: argparse.Namespace) -> dict:
    """The clip dict of :func:`inference_clip` for the command line."""
    keys = dict(
        onset=args.onset,
        apex=args.apex,
        onset_time=args.onset_time,
        apex_time=args.apex_time)
    if len(args.inputs) == 2:
        return dict(frames=args.inputs)
    (path, ) = args.inputs
    if osp.isdir(path):
        if args.onset_time is not None or args.apex_time is not None:
            raise ValueError(f'{path}: a frame folder takes --onset and '
                             '--apex (frame numbers of its file names), not '
                             'times')
        _check_key_frames(args, video=False)
        return dict(frame_dir=path, **keys)
    if path.lower().endswith(VIDEO_SUFFIXES):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: video not found')
        _check_key_frames(args, video=True)
        return dict(video=path, **keys)
    if not osp.exists(path):
        raise FileNotFoundError(f'{path}: not found')
    raise ValueError(
        f'{path}: not a folder or a video ({", ".join(VIDEO_SUFFIXES)}); '
        'an image pair takes two files')


def main(argv=None) -> int:
    args = parse_args(argv)
    clip = clip_of(args)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'{args.checkpoint}: checkpoint not found')
    # torch and MMAction2 load only once the arguments are known to be good
    from mmaction_tsfmicro.apis.inference import inference_clip, init_model
    model = init_model(None if args.config == '-' else args.config,
                       args.checkpoint, args.device)
    result = inference_clip(model, clip, align=args.align)
    meta = result.metainfo
    width = max(len(c) for c in meta['classes'])
    for name, score in sorted(meta['scores'].items(), key=lambda kv: -kv[1]):
        print(f'{name:<{width}}  {score:.4f}')
    print(f"predicted: {meta['pred_class']} "
          f"({meta['scores'][meta['pred_class']]:.4f})")
    if args.out:
        write_json(
            args.out,
            dict(
                input=args.inputs,
                checkpoint=args.checkpoint,
                predicted=meta['pred_class'],
                scores=meta['scores'],
                classes=meta['classes'],
                source=meta['source']))
        print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    run_main(main)
