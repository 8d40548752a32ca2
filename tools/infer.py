"""Find and classify micro-expressions with a trained model.

INPUT is

* a video without key frames: its micro-expressions are found by the
  released spotter (``--spotter`` for another), each span is classified by
  the model from its own frames (face aligned and tracked, apex
  estimated), and one table is printed: span in frames and seconds, apex,
  class and score (and the spotter's own class); ``--out`` writes it as
  JSON and CSV, ``--out-video`` draws it on the video, ``--truth`` scores
  it against a spotting file (F1 and MEGC 2023's STRS);
* one clip: a video or a folder of numbered frames with ``--onset`` and
  ``--apex`` (0-based frame indices in a video, ``--onset-time`` and
  ``--apex-time`` in seconds; file numbers in a folder); without
  ``--apex`` (or with ``--whole-clip``) the clip runs from the onset (its
  first frame by default) to its end and the apex is estimated. A frame
  folder is always one clip;
* an onset/apex pair (two image files).

Frames that are not aligned (a video; a folder that
``tools/data/preprocess_faces.py`` did not write; ``--align``) are aligned
with the face preprocessing the checkpoint records and tracked from the
onset, which measures the head's motion: up to ``--max-head-motion`` they get
the onset's transform, as training clips did; beyond, the tracking
stabilizes them and a warning says the answer is less reliable. A clip
prints every class with its score and the predicted class; ``--out``
writes the same as JSON.

Examples::

    python tools/infer.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py \\
        checkpoints/tsfmicro_tiny_demo_all-subjects-<hash>.pth \\
        clip.mp4 --onset 4 --apex 15
    python tools/infer.py CONFIG CKPT data/demo/faces112/sub05/EP03_01 \\
        --onset 153 --apex 161
    python tools/infer.py CONFIG CKPT onset.jpg apex.jpg --out result.json
    python tools/infer.py - CKPT long_video.avi --out spans.json
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
    parser.add_argument('--whole-clip', action='store_true',
                        help='a video without key frames is one clip (its '
                        'apex estimated), not a recording to search')
    parser.add_argument('--max-head-motion', type=float, default=None,
                        help='head motion (px of the crop) beyond which the '
                        'frames are stabilized by tracking, with a warning '
                        '(default: 2 px at 112 px, scaled)')
    parser.add_argument('--spotter', metavar='CKPT', default=None,
                        help='the spotter of a video without key frames '
                        '(default: the released one); its config is the '
                        'one stored in it')
    parser.add_argument('--threshold', type=float, default=None,
                        help='the spotter\'s span threshold (default: its '
                        'config\'s)')
    parser.add_argument('--truth', metavar='ANN',
                        help='a normalized spotting file holding the video: '
                        'score the spans (F1, STRS)')
    parser.add_argument('--out-video', metavar='VIDEO',
                        help='write the video with the spans drawn (.avi or '
                        '.mp4)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--out', metavar='JSON', help='write the result')
    args = parser.parse_args(argv)
    if len(args.inputs) > 2:
        parser.error('give two images, one folder or one video')
    return args


def has_key_frames(args: argparse.Namespace) -> bool:
    return any(v is not None for v in (args.onset, args.apex,
                                       args.onset_time, args.apex_time))


def clip_of(args: argparse.Namespace) -> dict:
    """The clip dict of :func:`inference_clip` for the command line, or
    ``dict(spot=VIDEO)`` for a video to search."""
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
        return dict(frame_dir=path, **keys)
    if path.lower().endswith(VIDEO_SUFFIXES):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: video not found')
        if not has_key_frames(args) and not args.whole_clip:
            return dict(spot=path)
        return dict(video=path, **keys)
    if not osp.exists(path):
        raise FileNotFoundError(f'{path}: not found')
    raise ValueError(
        f'{path}: not a folder or a video ({", ".join(VIDEO_SUFFIXES)}); '
        'an image pair takes two files')


def check_outputs(args: argparse.Namespace, spot: bool) -> None:
    """Refuse options that do not apply, and unwritable outputs, before
    any work."""
    from mmaction_tsfmicro.utils.fileio import check_output_path
    for option in ('spotter', 'threshold', 'truth', 'out_video'):
        if getattr(args, option) is not None and not spot:
            raise ValueError(f"--{option.replace('_', '-')} applies to a "
                             'video searched for micro-expressions (no key '
                             'frames, no --whole-clip)')
    if args.out:
        check_output_path(args.out, option='--out', suffixes=('.json', ),
                          what='the result file')
    if args.out_video:
        check_output_path(args.out_video, option='--out-video',
                          suffixes=('.avi', '.mp4'), what='the video')
    for path, what in ((args.truth, 'spotting file'),
                       (args.spotter, 'checkpoint')):
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(f'{path}: {what} not found')


def print_clip(meta: dict) -> None:
    source = meta['source']
    if source.get('apex_estimated'):
        print(f"key frames: onset {source['onset']}, apex {source['apex']} "
              '(estimated)')
    for warning in source.get('warnings') or []:
        print(f'warning: {warning}')
    width = max(len(c) for c in meta['classes'])
    for name, score in sorted(meta['scores'].items(), key=lambda kv: -kv[1]):
        print(f'{name:<{width}}  {score:.4f}')
    print(f"predicted: {meta['pred_class']} "
          f"({meta['scores'][meta['pred_class']]:.4f})")


def print_spans(spans: list) -> None:
    print(f"{'span':>4}  {'frames':>11}  {'seconds':>11}  {'apex':>5}  "
          f"{'class':<12} {'score':>5}  {'spot':>5}  spotter's class")
    for s in spans:
        print(f"{s['number']:>4}  {s['onset']:>5}-{s['offset']:<5}  "
              f"{s['onset_time']:>5.2f}-{s['offset_time']:<5.2f}  "
              f"{'-' if s['apex'] is None else s['apex']:>5}  "
              f"{s['emotion']:<12} {s['class_score']:>5.2f}  "
              f"{s['score']:>5.2f}  {s.get('spotter_emotion', '-')} "
              f"{s.get('spotter_class_score', 0):.2f}")
        for warning in s['warnings']:
            print(f'      warning: {warning}')


def spot_video(args: argparse.Namespace, video: str, model) -> int:
    """Find the micro-expressions of a video and classify each."""
    from mmaction_tsfmicro.apis.inference import init_model
    from mmaction_tsfmicro.apis.publish import released_checkpoint
    from mmaction_tsfmicro.apis.streaming import write_spans
    from mmaction_tsfmicro.apis.video_inference import (evaluate_spans,
                                                        spot_and_recognize,
                                                        str_evaluation)
    from mmaction_tsfmicro.spotting.truth import video_truth
    truth = video_truth(args.truth, video) if args.truth else None
    spotter_path = args.spotter or released_checkpoint('spotter')
    spotter = init_model(None, spotter_path, args.device)
    try:
        found = spot_and_recognize(
            video, spotter, model,
            None if args.threshold is None else dict(
                threshold=args.threshold), args.max_head_motion,
            args.out_video)
    except ValueError as e:
        if str(e).startswith('not a spotter'):
            raise ValueError(f'{spotter_path}: {e}') from None
        raise
    spans = found['spans']
    print_spans(spans)
    with_face = found['frames'] - found['first_face_frame']
    print(f"{found['frames']} frames ({with_face} with a face), "
          f"{len(spans)} spans, {found['seconds']:.1f} s")
    if not spans:
        print('no micro-expression found; for a clip that holds one, give '
              'its key frames or --whole-clip')
    evaluation = None
    if truth is not None:
        evaluation = evaluate_spans(truth, spans)
        evaluation.update(str_evaluation({video: (spans, truth)},
                                         found['classes']))
        if 'strs' in evaluation:
            print(f"STRS {evaluation['strs']:.3f} (spotting F1 "
                  f"{evaluation['spotting_f1']:.3f} x analysis F1 "
                  f"{evaluation['analysis_f1']:.3f}); over the matched "
                  f"spans only {evaluation['strs_matched']:.3f}; with the "
                  f"spotter's classes {evaluation['spotter_strs']:.3f}")
    if args.out:
        csv_path = write_spans(args.out, dict(
            video=video, checkpoint=args.checkpoint, spotter=spotter_path,
            **found, evaluation=evaluation))
        print(f'wrote {args.out} and {csv_path}')
    if args.out_video:
        print(f'wrote {args.out_video}')
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    clip = clip_of(args)
    check_outputs(args, 'spot' in clip)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'{args.checkpoint}: checkpoint not found')
    # torch and MMAction2 load only once the arguments are known to be good
    from mmaction_tsfmicro.apis.inference import inference_clip, init_model
    model = init_model(None if args.config == '-' else args.config,
                       args.checkpoint, args.device)
    if 'spot' in clip:
        return spot_video(args, clip['spot'], model)
    result = inference_clip(model, clip, align=args.align,
                            max_motion=args.max_head_motion)
    meta = result.metainfo
    print_clip(meta)
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
