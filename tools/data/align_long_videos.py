"""Align the faces of long videos frame by frame, as tools/stream.py does.

Every video of a normalized spotting file (``metainfo.videos``) is read
from SRC (its frame folder in the file's layout, or with ``--source video``
its video file), its face detected on the first frame and tracked
(:class:`mmaction_tsfmicro.preprocessing.alignment.tracking.FaceTracker`), and the
crops are written in the same layout under DST, one folder per video,
atomically, each with an ``alignment.json``. DST also gets the spotting
file (its metainfo notes the alignment) and ``align_report.json``. The
settings come from ``--config`` (its ``face_alignment``, so the training
frames and the streaming tool align alike) or from the options.

Example::

    python tools/data/align_long_videos.py data/demo_long/raw/spotting.json \\
        data/demo_long/raw data/demo_long/aligned96 \\
        --config configs/spotting/tsfmicroseq_spotting_demo.py

Finished videos are skipped on a re-run. See docs/spotting.md.
"""
import argparse
import os
import os.path as osp
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

# before MediaPipe is first imported (when a face detector is built)
os.environ.setdefault('GLOG_minloglevel', '2')

DEFAULT_ALIGNMENT = dict(size=96, eye_y=0.36, eye_dist=0.32,
                         detector='mediapipe')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Align the faces of long videos frame by frame (detect '
        'once, track), as tools/stream.py does.')
    parser.add_argument('ann', help='normalized spotting file (JSON)')
    parser.add_argument('src', help='root of the raw frames')
    parser.add_argument('dst', help='root of the aligned crops')
    parser.add_argument('--config', help='a spotting config: take its '
                        'face_alignment (overrides --size, --detector)')
    parser.add_argument('--size', type=int, default=DEFAULT_ALIGNMENT['size'])
    parser.add_argument('--detector', default='mediapipe',
                        choices=['mediapipe', 'dlib', 'haar'])
    parser.add_argument('--source', default='frames',
                        choices=['frames', 'video'],
                        help='read the frame folders or the video files')
    parser.add_argument('--subjects', help='comma-separated subjects '
                        '(default: every video of the file)')
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--jpeg-quality', type=int, default=95)
    return parser.parse_args(argv)


def face_alignment_of(args) -> dict:
    if not args.config:
        return dict(DEFAULT_ALIGNMENT, size=args.size, detector=args.detector)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: config not found')
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    if 'face_alignment' not in cfg:
        raise KeyError(f'{args.config}: has no face_alignment')
    return dict(cfg.face_alignment)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmaction_tsfmicro.annotations import (load_annotation_file,
                                               write_annotation_file)
    from mmaction_tsfmicro.preprocessing.alignment.videos import (align_video_task,
                                                            is_aligned,
                                                            split_settings)
    from mmaction_tsfmicro.utils.fileio import write_json
    data = load_annotation_file(args.ann)
    meta = data['metainfo']
    for key in ('layout', 'videos'):
        if key not in meta:
            raise KeyError(f'{args.ann}: metainfo has no {key!r}; not a '
                           'spotting file')
    if not osp.isdir(args.src):
        raise FileNotFoundError(f'{args.src}: folder not found')
    settings = face_alignment_of(args)
    split_settings(settings)  # refuse unknown keys before any work
    videos = meta['videos']
    if args.subjects:
        wanted = set(args.subjects.split(','))
        missing = sorted(wanted - {v['subject'] for v in videos})
        if missing:
            raise KeyError(f'{args.ann}: no videos of subjects {missing}')
        videos = [v for v in videos if v['subject'] in wanted]
    todo = [v for v in videos if not is_aligned(args.dst, meta['layout'], v)]
    tasks = [dict(src=args.src, dst=args.dst, layout=meta['layout'],
                  video=v, face_alignment=settings, source=args.source,
                  jpeg_quality=args.jpeg_quality) for v in todo]
    t0 = time.perf_counter()
    print(f'{len(videos)} videos, {len(videos) - len(todo)} already '
          f'aligned; aligning {len(todo)}')
    if args.workers > 1 and len(tasks) > 1:
        from mmaction_tsfmicro.utils.processes import imap_processes
        done = {r['key']: r for r in imap_processes(
            align_video_task, tasks, args.workers,
            start_method='forkserver')}
        results = [done[f"{t['video']['subject']}/{t['video']['video']}"]
                   for t in tasks]  # in the order of the spotting file
    else:
        results = [align_video_task(t) for t in tasks]
    for r in results:
        detail = ', '.join(f'{k} {v}'
                           for k, v in sorted(r['statuses'].items()))
        print(f"{r['key']}: {r['frames']} frames ({detail}), "
              f"{r['seconds']:.1f} s")
    out_meta = dict(meta, aligned=dict(face_alignment=settings,
                                       source=args.source,
                                       src=osp.abspath(args.src)))
    write_annotation_file(osp.join(args.dst, osp.basename(args.ann)),
                          data['data_list'], out_meta)
    write_json(osp.join(args.dst, 'align_report.json'),
               dict(face_alignment=settings, source=args.source,
                    videos=len(videos), aligned_now=len(results),
                    seconds=round(time.perf_counter() - t0, 2),
                    results=results))
    print(f'done in {time.perf_counter() - t0:.1f} s; wrote '
          f'{osp.join(args.dst, osp.basename(args.ann))}')
    return 0


if __name__ == '__main__':
    run_main(main)
