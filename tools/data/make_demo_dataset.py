"""Generate the demo micro-expression data set (synthetic AU motions on
real faces shipped inside installed packages), in CASME II's layout.

Example::

    python tools/data/make_demo_dataset.py --out data/demo

writes ``data/demo/subXX/EPxx_yy/img<N>.jpg``, ``CASME2-coding-demo.xlsx``
(official CASME II columns), ``manifest.json`` and ``README.md``. A re-run
with the same options resumes (finished subjects are skipped); other
options into the same folder are refused unless ``--overwrite``.
See docs/demo.md.
"""
import argparse
import os
import os.path as osp
import sys

os.environ.setdefault('GLOG_minloglevel', '2')  # quiet MediaPipe

from tsfmicro_synthesis import (DemoConfig, DemoOptionsError,  # noqa
                                         build_demo_dataset)
from tsfmicro_synthesis.figures import (  # noqa: E402
    difference_figure, sample_frames_figure)
from mmaction_tsfmicro.utils.cli import (ArgumentParser, one_line,  # noqa
                                         run_main)

DEFAULTS = DemoConfig()


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Generate the demo micro-expression data set: synthetic '
        'action-unit motions on real faces from installed packages, in '
        'CASME II layout with a CASME II coding sheet.')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--subjects', type=int, default=None,
        help='number of subjects (the first usable faces of the catalogue); '
        'default: every usable face')
    parser.add_argument('--clips-per-class', type=int,
                        default=DEFAULTS.clips_per_class,
                        help='clips of each of the 5 classes per subject')
    parser.add_argument('--seed', type=int, default=DEFAULTS.seed)
    parser.add_argument('--frame-size', type=int,
                        default=DEFAULTS.frame_size,
                        help='side of the square frames (px)')
    parser.add_argument('--clip-frames', type=int, nargs=2,
                        default=list(DEFAULTS.clip_frames),
                        metavar=('MIN', 'MAX'), help='clip length range')
    parser.add_argument(
        '--amplitude', type=float, nargs=2,
        default=list(DEFAULTS.amplitude), metavar=('MIN', 'MAX'),
        help='apex displacement range, px for a 90 px inter-ocular '
        'distance (a 224 x 224 aligned face)')
    parser.add_argument('--jpeg-quality', type=int,
                        default=DEFAULTS.jpeg_quality)
    parser.add_argument('--workers', type=int,
                        default=min(2, os.cpu_count() or 1),
                        help='worker processes (subjects in parallel)')
    parser.add_argument(
        '--figures', metavar='DIR',
        help='also write demo_frames.png (onset/apex/offset frames of one '
        'clip per class) and demo_apex_minus_onset.png into DIR')
    parser.add_argument(
        '--figure-subjects', default=None, metavar='SUBJECTS',
        help='comma-separated subjects of the figures (the first one for '
        'the frames); default: the first subject')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a set made with other options')
    parser.add_argument('--quiet', action='store_true')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        config = DemoConfig(
            seed=args.seed, subjects=args.subjects,
            clips_per_class=args.clips_per_class,
            frame_size=args.frame_size,
            clip_frames=tuple(args.clip_frames),
            amplitude=tuple(args.amplitude),
            jpeg_quality=args.jpeg_quality)
        build_demo_dataset(args.out, config, workers=args.workers,
                           overwrite=args.overwrite,
                           log=None if args.quiet else print)
        if args.figures:
            subjects = (args.figure_subjects.split(',')
                        if args.figure_subjects else None)
            paths = (sample_frames_figure(
                args.out, osp.join(args.figures, 'demo_frames.png'),
                subjects[0] if subjects else None),
                     difference_figure(
                         args.out,
                         osp.join(args.figures, 'demo_apex_minus_onset.png'),
                         subjects))
            if not args.quiet:
                for path in paths:
                    print(f'wrote {path}')
    except (DemoOptionsError, ValueError, KeyError,
            FileNotFoundError) as exc:
        print(f'{osp.basename(sys.argv[0]) or "make_demo_dataset.py"}: '
              f'error: {one_line(exc)}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    run_main(main)
