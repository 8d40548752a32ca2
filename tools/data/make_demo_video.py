"""Write one demo clip, rendered anew, as a video file (for tools/infer.py).

The clip is drawn with another seed than the demo set's, so no model of
the demo has seen it; it is rendered on a face photo of the demo's
catalogue (installed packages' files) and written as a plain video, the
face not aligned. A sidecar ``VIDEO.json`` records the onset and apex
frame indices and the true class.

Example::

    python tools/data/make_demo_video.py --out data/demo/unseen/clip.mp4 \\
        --emotion happiness --seed 2027
"""
import argparse
import os

os.environ.setdefault('GLOG_minloglevel', '2')  # quiet MediaPipe

from tsfmicro_synthesis.action_units import CLASSES  # noqa: E402
from tsfmicro_synthesis.clip_video import (  # noqa: E402
    write_clip_video)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main  # noqa

#: A frontal photo of the catalogue (the demo's subject sub05).
DEFAULT_SOURCE = 'feat/0-f1-su-ph.jpg'


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description='Write one new demo clip as a video')
    parser.add_argument('--out', required=True, help='video file (.mp4)')
    parser.add_argument('--emotion', default='happiness', choices=CLASSES)
    parser.add_argument('--seed', type=int, default=2027,
                        help='seed of the clip (the demo set uses 0)')
    parser.add_argument('--source', default=DEFAULT_SOURCE,
                        help='face photo of the catalogue '
                        f'(default: {DEFAULT_SOURCE})')
    parser.add_argument('--fps', type=float, default=30.0)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    record = write_clip_video(args.out, args.source, args.emotion, args.seed,
                              args.fps)
    print(f"wrote {args.out}: {record['num_frames']} frames of a "
          f"{record['emotion']} clip (AU {record['action_units']}), onset "
          f"frame {record['onset']}, apex frame {record['apex']} "
          f'(0-based); {args.out}.json records it')
    return 0


if __name__ == '__main__':
    run_main(main)
