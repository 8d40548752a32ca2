"""Convert a long-video set's interval sheet to the normalized spotting file.

Examples::

    python tools/data/build_spotting_annotation.py casme2_long \\
        "data/casme2_long/CAS(ME)^2code_final.xlsx" data/casme2_long \\
        -o data/casme2_long/spotting_micro.json
    python tools/data/build_spotting_annotation.py samm_long \\
        data/samm_long/SAMM_LongVideos_V3_Release.xlsx data/samm_long \\
        --type all -o data/samm_long/spotting_all.json

ROOT is the set's frame root (``rawpic/`` for CAS(ME)^2,
``SAMM_longvideos/`` for SAMM Long Videos): every video folder under it is
listed with its frame range, those without an annotated movement too, and
each movement of the sheet is matched to its folder. The file is what
``LongVideoDataset``, ``tools/data/align_long_videos.py`` and
``tools/stream.py --truth`` read (docs/spotting.md). Bad input stops it
with one line on stderr and exit status 2, before anything is written.
"""
import argparse

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    from mmaction_tsfmicro.spotting.layouts import LONG_VIDEO_LAYOUTS
    parser = ArgumentParser(
        description='Convert a long-video interval sheet (CAS(ME)^2, SAMM '
        'Long Videos) to the normalized spotting file')
    parser.add_argument('layout', choices=sorted(LONG_VIDEO_LAYOUTS),
                        help='the set')
    parser.add_argument('sheet', help='its interval sheet (.xlsx)')
    parser.add_argument('root', help='its frame root')
    parser.add_argument('-o', '--out', required=True, metavar='OUT.json',
                        help='the spotting file to write')
    parser.add_argument('--type', default='micro',
                        choices=('micro', 'macro', 'all'),
                        help='which movements are records (default: micro, '
                        "MEGC's micro-expression spotting)")
    parser.add_argument('--classes', type=lambda s: [c for c in s.split(',')
                                                     if c],
                        help='comma-separated class names in label order '
                        "(default: the sheet's emotion words, sorted)")
    parser.add_argument('--fps', type=float,
                        help="the videos' frame rate (default: the set's)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import os.path as osp

    from mmaction_tsfmicro.annotations import write_annotation_file
    from mmaction_tsfmicro.spotting.annotation import spotting_annotation
    from mmaction_tsfmicro.utils.fileio import check_output_path
    for path, what in ((args.sheet, 'sheet'), (args.root, 'frame root')):
        if not osp.exists(path):
            raise FileNotFoundError(f'{path}: {what} not found')
    check_output_path(args.out, option='--out')
    records, metainfo = spotting_annotation(
        args.layout, args.sheet, args.root, args.type, args.classes,
        fps=args.fps)
    write_annotation_file(args.out, records, metainfo)
    videos = metainfo['videos']
    annotated = {(r['subject'], r['clip_dir']) for r in records}
    print(f"{len(records)} {args.type} movements in {len(annotated)} of "
          f"{len(videos)} videos ({sum(v['num_frames'] for v in videos)} "
          f"frames, {metainfo['fps']:g} fps); classes: "
          f"{', '.join(metainfo['classes'])}")
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    run_main(main)
