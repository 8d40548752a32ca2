"""Spot micro-expressions in a video or a camera stream, frame by frame.

Each frame's face is aligned as the training frames were (the config's
``face_alignment``: detected on the first frame, then tracked), the
spotter's recurrent form scores it with a state of constant size, and the
spans are found online (the config's ``span_finder``): each span is printed
as soon as it is found, with its class and scores. ``--out FILE.json``
writes the spans as JSON and as CSV (``FILE.csv``); ``--out-video`` writes
the video with the spans drawn (a red border and the class on their
frames, the score as a bar); ``--truth`` scores the spans against the
video's intervals in a normalized spotting file (MEGC protocol) and prints
each found span's distance to its truth.

Examples::

    python tools/stream.py configs/spotting/spotter_tsfmicro-seq_1xb8-10e_demo-long.py \\
        work_dirs/spotting_demo/epoch_12.pth \\
        data/demo_long/raw/rawvideo/s17/17_0101demo1.avi \\
        --out spans.json --out-video spans.avi
    python tools/stream.py CONFIG CKPT 0        # the first camera

See docs/spotting.md.
"""
import argparse
import os
import os.path as osp
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

# before MediaPipe is first imported (when a face detector is built)
os.environ.setdefault('GLOG_minloglevel', '2')

SPAN_OPTIONS = ('threshold', 'merge_gap', 'min_length', 'max_length',
                'smooth')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Spot micro-expressions in a video or camera stream, '
        'frame by frame (recurrent form, constant memory)')
    parser.add_argument('config', help='the spotter\'s config ("-": the one '
                        'stored in the checkpoint)')
    parser.add_argument('checkpoint', help='the spotter\'s checkpoint')
    parser.add_argument('video', help='a video file, or a camera index (0)')
    parser.add_argument('--out', metavar='JSON',
                        help='write the spans (JSON, and CSV beside it)')
    parser.add_argument('--out-video', metavar='VIDEO',
                        help='write the video with the spans drawn (.avi '
                        'or .mp4)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--fps', type=float, default=None,
                        help='frame rate when the video does not say (a '
                        'camera); default: the video\'s, else 30')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop after this many frames')
    parser.add_argument('--threshold', type=float, help='span threshold')
    parser.add_argument('--merge-gap', type=int, help='merge shorter gaps')
    parser.add_argument('--min-length', type=int, help='shortest span')
    parser.add_argument('--max-length', type=int, help='longest span')
    parser.add_argument('--smooth', type=int, help='score smoothing width')
    parser.add_argument('--truth', metavar='ANN',
                        help='a normalized spotting file holding the video '
                        '(its video_file or folder name): score the spans '
                        'against its intervals (MEGC: IoU >= 0.5)')
    parser.add_argument('--quiet', action='store_true',
                        help='print the summary only')
    return parser.parse_args(argv)


def span_settings(cfg, args) -> dict:
    settings = dict(cfg.get('span_finder') or {})
    for key in SPAN_OPTIONS:
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    return settings


def describe(span: dict) -> str:
    text = (f"span {span['number']}: frames {span['onset']}-"
            f"{span['offset']} ({span['onset_time']:.2f}-"
            f"{span['offset_time']:.2f} s, {span['length']} frames), "
            f"score {span['score']:.2f}")
    if 'emotion' in span:
        text += f", {span['emotion']} {span['class_score']:.2f}"
    return text


def write_outputs(args, record: dict) -> None:
    from mmaction_tsfmicro.apis.streaming import write_spans
    print(f'wrote {args.out} and {write_spans(args.out, record)}')


def check_outputs(args) -> None:
    """Refuse unwritable output paths before the video is processed."""
    from mmaction_tsfmicro.utils.fileio import check_output_path
    if args.out:
        check_output_path(args.out, option='--out', suffixes=('.json', ),
                          what='the spans file', why='the CSV goes beside it')
    if args.out_video:
        check_output_path(args.out_video, option='--out-video',
                          suffixes=('.avi', '.mp4'), what='the video')


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'{args.checkpoint}: checkpoint not found')
    if args.config != '-' and not osp.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: config not found')
    check_outputs(args)
    from mmaction_tsfmicro.spotting.truth import video_truth
    truth = video_truth(args.truth, args.video) if args.truth else None
    from mmaction_tsfmicro.preprocessing.video import iter_frames, open_video
    cap, _ = open_video(args.video)
    # torch and MMAction2 load only once the input is known to be good
    from mmaction_tsfmicro.apis.inference import init_model
    from mmaction_tsfmicro.apis.streaming import (StreamSpotter, VideoSink,
                                                  run_stream)
    from mmaction_tsfmicro.apis.video_inference import evaluate_spans
    model = init_model(None if args.config == '-' else args.config,
                       args.checkpoint, args.device)
    cfg = model.cfg
    if 'face_alignment' not in cfg:
        raise KeyError('the config has no face_alignment (the alignment '
                       'of the training frames); is it a spotting config?')
    if not callable(getattr(model, 'step', None)):
        raise TypeError(f'the config\'s model {type(model).__name__} has no '
                        'streaming form (step); use a spotting config')
    fps = args.fps or cap.get(5) or 30.0  # 5: cv2.CAP_PROP_FPS
    finder = span_settings(cfg, args)
    spotter = StreamSpotter(model, dict(cfg.face_alignment), finder,
                            (model.dataset_meta or {}).get('classes'), fps)
    sink = VideoSink(args.out_video, fps, spotter.finder, []) \
        if args.out_video else None
    t0 = time.perf_counter()
    try:
        spans = run_stream(
            iter_frames(cap, args.max_frames, name=args.video), spotter,
            sink, None if args.quiet else
            lambda span: print(describe(span), flush=True))
    finally:
        cap.release()
        spotter.close()
    seconds = time.perf_counter() - t0
    frames = spotter.index + 1
    if frames == 0:
        raise ValueError(f'{args.video}: no frame could be read')
    if spotter.first_face is None:
        raise ValueError(f'{args.video}: no face found in {frames} frames')
    print(f'{frames} frames ({frames - spotter.first_face} with a face), '
          f'{len(spans)} spans, {seconds:.1f} s '
          f'({1000 * seconds / frames:.1f} ms a frame)')
    evaluation = evaluate_spans(truth, spans) if truth else None
    if args.out:
        write_outputs(args, dict(
            video=args.video, checkpoint=args.checkpoint, fps=fps,
            frames=frames, first_face_frame=spotter.first_face,
            span_finder=spotter.finder.config(),
            face_alignment=dict(cfg.face_alignment),
            classes=spotter.classes, seconds=round(seconds, 3),
            spans=spans, evaluation=evaluation))
    if args.out_video:
        print(f'wrote {args.out_video}')
    return 0


if __name__ == '__main__':
    run_main(main)
