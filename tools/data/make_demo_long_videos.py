"""Generate the demo long videos for micro-expression spotting.

Real faces (photos shipped inside installed packages) seen for tens of
seconds, with slow head drift, small head moves and blinks, and synthetic
micro-expressions (the demo set's action-unit motions, 0.2 to 0.5 s from
onset to offset) at random times, in the CAS(ME)^2 long-video layout (or
SAMM's with ``--layout samm``).

Example::

    python tools/data/make_demo_long_videos.py --out data/demo_long/raw

writes ``rawpic/sNN/NN_01VVdemoV/img<N>.jpg``, ``rawvideo/sNN/...avi``,
``CAS(ME)^2code_demo.xlsx`` (CAS(ME)^2's sheet), ``spotting.json`` (the
plugin's normalized file), ``manifest.json`` and ``README.md``. A re-run
with the same options resumes (finished videos are skipped); other options
into the same folder are refused unless ``--overwrite``. See
docs/spotting.md.
"""
import argparse
import os

from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import LongVideoConfig
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

# before MediaPipe is first imported (when a face detector is built)
os.environ.setdefault('GLOG_minloglevel', '2')

DEFAULTS = LongVideoConfig()


def _pair(parser, name, help, kind=float):
    default = list(getattr(DEFAULTS, name.replace('-', '_')))
    parser.add_argument(f'--{name}', type=kind, nargs=2, default=default,
                        metavar=('MIN', 'MAX'),
                        help=f'{help} (default: {default[0]} {default[1]})')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Generate demo long videos with inserted '
        'micro-expressions (spotting), in the CAS(ME)^2 or SAMM layout.')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--layout', default='casme2',
                        choices=['casme2', 'samm'],
                        help='long-video layout (default: casme2, 30 fps)')
    parser.add_argument('--subjects', type=int, default=None,
                        help='number of subjects (default: every usable '
                        'face photo)')
    parser.add_argument('--videos-per-subject', type=int,
                        default=DEFAULTS.videos_per_subject)
    _pair(parser, 'duration', 'video length range (s)')
    parser.add_argument('--fps', type=float, default=None,
                        help='frame rate (default: the layout\'s)')
    _pair(parser, 'expressions', 'expressions per video', int)
    _pair(parser, 'expression-seconds', 'onset-to-offset time range (s)')
    _pair(parser, 'amplitude', 'apex displacement range (px at a 90 px '
          'inter-ocular distance)')
    _pair(parser, 'blinks-per-minute', 'blink rate range')
    parser.add_argument('--frame-size', type=int,
                        default=DEFAULTS.frame_size)
    parser.add_argument('--seed', type=int, default=DEFAULTS.seed)
    parser.add_argument('--no-video', action='store_true',
                        help='write the frames only, no .avi files')
    parser.add_argument('--jpeg-quality', type=int,
                        default=DEFAULTS.jpeg_quality)
    parser.add_argument('--workers', type=int,
                        default=min(2, os.cpu_count() or 1))
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a set made with other options')
    parser.add_argument('--quiet', action='store_true')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    config = LongVideoConfig(
        seed=args.seed, subjects=args.subjects,
        videos_per_subject=args.videos_per_subject,
        duration=tuple(args.duration), fps=args.fps,
        layout=args.layout, frame_size=args.frame_size,
        expressions=tuple(args.expressions),
        expression_seconds=tuple(args.expression_seconds),
        amplitude=tuple(args.amplitude),
        blinks_per_minute=tuple(args.blinks_per_minute),
        jpeg_quality=args.jpeg_quality, write_video=not args.no_video)
    build_long_videos(args.out, config, workers=args.workers,
                      overwrite=args.overwrite,
                      log=None if args.quiet else print)
    return 0


if __name__ == '__main__':
    run_main(main)
