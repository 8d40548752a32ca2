"""Align the faces of a micro-expression dataset, one transform per clip.

For each clip of the annotation file: detect the face on the onset frame,
compute one similarity transform from the eyes (and nose) that puts the face
upright with the eyes at fixed positions of a SIZE x SIZE crop, check it on
the apex and offset frames, warp every frame of the clip with it and write
the crops in the dataset's frame layout under OUT_ROOT (atomically per
clip), with an ``alignment.json`` per clip and a run report.

Example::

    python tools/data/preprocess_faces.py --dataset casme2 \\
        --ann data/casme2/annotations.json --src data/casme2/CASME2_RAW \\
        --dst data/casme2/aligned --size 224 --workers 2

See docs/preprocessing.md.
"""
import argparse
import os

from mmaction_tsfmicro.annotations.layouts import LAYOUTS, get_template
from mmaction_tsfmicro.preprocessing.alignment import AlignmentTarget
from mmaction_tsfmicro.preprocessing.cli import (INPUT_ERRORS, add_input_args,
                                                 add_run_args, input_error,
                                                 read_records, run_and_report)
from mmaction_tsfmicro.preprocessing.clip_spec import (FRAME_MODES,
                                                       PreprocessConfig,
                                                       group_clips)
from mmaction_tsfmicro.preprocessing.landmarks import (DETECTORS,
                                                       MissingBackendError)
from mmaction_tsfmicro.preprocessing.runner import run_clips
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPORT_FILE = 'preprocess_report.json'


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Align the faces of micro-expression clips (one '
        'similarity transform per clip, from the onset frame).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_input_args(
        parser,
        dataset_help='dataset whose records are processed (the records\' '
        '"dataset" field); its frame layout is the default --layout '
        f'({", ".join(LAYOUTS)})',
        src_help='root of the raw frames',
        dst_help='root of the aligned crops',
        layout_help='frame layout of --src: a name '
        f'({", ".join(LAYOUTS)}) or a template with {{subject}}, {{clip}}, '
        '{frame}; defaults to --dataset')
    parser.add_argument(
        '--out-layout', help='frame layout of --dst; defaults to --layout')
    parser.add_argument('--size', type=int, default=224,
                        help='side of the square crops in pixels')
    parser.add_argument(
        '--eye-y', type=float, default=AlignmentTarget.eye_y,
        help='eye line height as a fraction of --size')
    parser.add_argument(
        '--eye-dist', type=float, default=AlignmentTarget.eye_dist,
        help='inter-ocular distance as a fraction of --size')
    parser.add_argument('--use-nose', action='store_true',
                        help='fit the nose tip too (least squares)')
    parser.add_argument('--detector', choices=sorted(DETECTORS),
                        default='mediapipe', help='landmark detector')
    parser.add_argument(
        '--frames', choices=FRAME_MODES, default='annotated',
        help='annotated: onset..offset of the clip\'s samples; all: every '
        'frame of the clip folder')
    parser.add_argument(
        '--max-shift', type=float, default=10.0,
        help='largest eye/nose shift (output pixels) allowed between the '
        'onset frame and the apex/offset frames after alignment')
    parser.add_argument('--no-shift-check', action='store_true',
                        help='do not detect on the apex/offset frames')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes (each builds its detector)')
    parser.add_argument('--jpeg-quality', type=int, default=95,
                        help='quality of the written JPEG crops')
    parser.add_argument('--overwrite', action='store_true',
                        help='redo clips that are already done')
    add_run_args(parser, REPORT_FILE)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        layout, records = read_records(args)
        clips = group_clips(records)
        target = AlignmentTarget(
            size=args.size,
            eye_y=args.eye_y,
            eye_dist=args.eye_dist,
            use_nose=args.use_nose)
        cfg = PreprocessConfig(
            src=args.src,
            dst=args.dst,
            layout=layout,
            out_layout=args.out_layout,
            target=target,
            frames=args.frames,
            max_shift=None if args.no_shift_check else args.max_shift,
            jpeg_quality=args.jpeg_quality,
            overwrite=args.overwrite)
    except INPUT_ERRORS as exc:
        return input_error(exc)
    os.makedirs(args.dst, exist_ok=True)
    return run_and_report(
        args,
        lambda: run_clips(
            clips,
            cfg,
            detector=args.detector,
            workers=args.workers,
            progress=not args.no_progress),
        REPORT_FILE,
        settings=dict(
            layout=get_template(cfg.layout),
            out_layout=get_template(cfg.out_layout),
            detector=args.detector,
            target=target.to_dict(),
            frames=args.frames,
            max_shift=cfg.max_shift),
        errors=(MissingBackendError, ),
        output_keys=('out_layout', 'detector', 'target'))


if __name__ == '__main__':
    run_main(main)
