"""The demo: the whole plugin, end to end, on real faces (``make demo``).

1. ``tools/data/make_demo_dataset.py``: synthetic action-unit motions on
   real faces from installed packages, in CASME II's layout with a CASME II
   coding sheet (cached: a finished set is reused);
2. ``tools/data/build_annotations.py casme2``: the coding sheet into the
   normalized annotation file;
3. ``tools/data/preprocess_faces.py``: face alignment of every clip
   (finished clips are skipped);
4. ``tools/loso.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py``: leave-one-subject-out over
   every demo subject, resumed when the work dir holds an earlier run;

5. ``tools/data/make_demo_video.py`` and ``tools/infer.py``: a clip drawn
   with another seed (one the LOSO never saw) written as a plain video,
   classified by the released demo checkpoint
   (``checkpoints/tsfmicro_tiny_demo_all-subjects-*.pth``, trained on every
   demo subject), which aligns the face as its training frames were;
6. ``tools/data/make_demo_long_videos.py`` and ``tools/infer.py``: a long
   recording drawn with another seed (head drift, blinks, a few
   micro-expressions; its annotation is left aside), searched by the
   released spotter with each span classified by the released demo model,
   then scored against the generator's truth (F1, MEGC 2023's STRS);

then it prints where the report is, with its UF1, UAR and accuracy, and the
new clip's prediction. Every step is the command a user would type; they
are printed as they run.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py'
#: The seed of the long recording the demo searches (the released
#: spotter was trained on the default seed's recordings).
LONG_VIDEO_SEED = 2027


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Run the demo: demo data set, annotations, face '
        'alignment and a full LOSO experiment with its report')
    parser.add_argument(
        '--data-dir',
        default='data/demo',
        help='folder of the demo data (default: data/demo)')
    parser.add_argument(
        '--work-dir',
        default='work_dirs/demo_loso',
        help='LOSO work dir (default: work_dirs/demo_loso)')
    parser.add_argument(
        '--config', default=CONFIG, help=f'LOSO config (default: {CONFIG})')
    parser.add_argument(
        '--subjects',
        type=int,
        default=None,
        help='demo subjects (default: every usable face, '
        '19)')
    parser.add_argument(
        '--clips-per-class',
        type=int,
        default=None,
        help='demo clips of each class per subject '
        '(default: 3)')
    parser.add_argument(
        '--jobs',
        type=int,
        default=2,
        help='folds trained at once, each with cores/jobs '
        'threads (default: 2)')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], help='passed to tools/loso.py')
    return parser.parse_args(argv)


def release_checkpoint() -> str:
    """The released demo checkpoint shipped in ``checkpoints/``."""
    found = sorted(
        glob.glob(
            osp.join(REPO, 'checkpoints',
                     'tsfmicro_tiny_demo_all-subjects-*.pth')))
    if len(found) != 1:
        sys.exit('demo: expected one checkpoints/tsfmicro_tiny_demo_all-'
                 f'subjects-<hash>.pth, found {len(found)}')
    return found[0]


def run(step: str, cmd: list) -> float:
    """Run one step as a subprocess from the repository root."""
    print(
        f'\n==> {step}\n$ {" ".join(shlex.quote(c) for c in cmd)}', flush=True)
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO)
    seconds = time.time() - start
    if proc.returncode != 0:
        sys.exit(f'demo: step "{step}" failed (exit code '
                 f'{proc.returncode}); see its output above')
    print(f'    ({seconds:.0f} s)', flush=True)
    return seconds


def main(argv=None) -> None:
    args = parse_args(argv)
    py = sys.executable
    raw = osp.join(args.data_dir, 'raw')
    faces = osp.join(args.data_dir, 'faces112')
    ann = osp.join(args.data_dir, 'annotations', 'demo_5cls.json')
    os.makedirs(osp.join(REPO, osp.dirname(ann)), exist_ok=True)
    start = time.time()
    times = {}
    make_set = [py, 'tools/data/make_demo_dataset.py', '--out', raw, '--quiet']
    if args.subjects is not None:
        make_set += ['--subjects', str(args.subjects)]
    if args.clips_per_class is not None:
        make_set += ['--clips-per-class', str(args.clips_per_class)]
    times['data set'] = run('demo data set (real faces, synthetic motions)',
                            make_set)
    times['annotations'] = run('annotations from the CASME II coding sheet', [
        py, 'tools/data/build_annotations.py', 'casme2',
        osp.join(raw, 'CASME2-coding-demo.xlsx'), '--classes', '5', '-o', ann
    ])
    times['face alignment'] = run('face alignment', [
        py, 'tools/data/preprocess_faces.py', '--dataset', 'casme2', '--ann',
        ann, '--src', raw, '--dst', faces, '--size', '112', '--workers',
        str(min(2,
                os.cpu_count() or 1)), '--detector', 'mediapipe'
    ])
    loso = [
        py, 'tools/loso.py', args.config, '--work-dir', args.work_dir,
        '--jobs',
        str(args.jobs)
    ]
    if osp.isdir(osp.join(REPO, args.work_dir)) and os.listdir(
            osp.join(REPO, args.work_dir)):
        loso.append('--resume')
    options = [
        f'train_dataloader.dataset.ann_file={ann}',
        f'test_dataloader.dataset.ann_file={ann}',
        f'train_dataloader.dataset.data_prefix.img={faces}',
        f'test_dataloader.dataset.data_prefix.img={faces}',
    ] + list(args.cfg_options)
    loso += ['--cfg-options'] + options
    times['LOSO'] = run('leave-one-subject-out training and report', loso)

    video = osp.join(args.data_dir, 'unseen', 'clip.mp4')
    times['new clip'] = run(
        'a clip no model saw, as a video',
        [py, 'tools/data/make_demo_video.py', '--out', video])
    with open(osp.join(REPO, video + '.json')) as f:
        clip = json.load(f)
    checkpoint = release_checkpoint()
    result_file = osp.join(args.work_dir, 'unseen_clip_result.json')
    times['inference'] = run('the released demo model classifies it', [
        py, 'tools/infer.py', '-', checkpoint, video, '--onset',
        str(clip['onset']), '--apex',
        str(clip['apex']), '--out', result_file
    ])
    with open(osp.join(REPO, result_file)) as f:
        result = json.load(f)

    long_dir = osp.join(args.data_dir, 'unseen_long')
    times['new long video'] = run(
        'a long recording no model saw', [
            py, 'tools/data/make_demo_long_videos.py', '--out', long_dir,
            '--subjects', '1', '--videos-per-subject', '1', '--seed',
            str(LONG_VIDEO_SEED), '--quiet'])
    (long_video, ) = glob.glob(osp.join(REPO, long_dir, 'rawvideo', '*',
                                        '*.avi'))
    long_video = osp.relpath(long_video, REPO)
    spans_file = osp.join(args.work_dir, 'unseen_long_video_spans.json')
    times['spotting'] = run(
        'the released spotter finds its micro-expressions, the demo model '
        'classifies each, scored against the truth', [
            py, 'tools/infer.py', '-', checkpoint, long_video, '--truth',
            osp.join(long_dir, 'spotting.json'), '--out', spans_file])
    with open(osp.join(REPO, spans_file)) as f:
        spotted = json.load(f)

    report_file = osp.join(REPO, args.work_dir, 'loso_report.json')
    with open(report_file) as f:
        report = json.load(f)
    total = time.time() - start
    steps = ', '.join(f'{k} {v:.0f} s' for k, v in times.items())
    print(f'\nDemo finished in {total / 60:.1f} min ({steps}).')
    print(f"Report: {osp.join(args.work_dir, 'loso_report.md')} "
          f"(and loso_report.json, predictions.csv, figures) in "
          f'{args.work_dir}/')
    print(f"Pooled over {report['num_folds']} folds, "
          f"{report['num_samples']} clips: UF1 {report['uf1']:.4f}  "
          f"UAR {report['uar']:.4f}  accuracy {report['acc']:.4f}")
    print(
        f"New clip {video} (true class {clip['emotion']}): predicted "
        f"{result['predicted']} ({result['scores'][result['predicted']]:.4f})"
        f' by {osp.relpath(checkpoint, REPO)}')
    ev = spotted['evaluation']
    print(f"New long video {long_video}: {len(spotted['spans'])} spans "
          f"found for {ev['tp'] + ev['fn']} micro-expressions (TP {ev['tp']}"
          f", FP {ev['fp']}, FN {ev['fn']}; F1 {ev['f1']:.3f}" +
          (f", STRS {ev['strs']:.3f}" if 'strs' in ev else '') +
          f'); spans in {spans_file}')
    print('The demo set is synthetic motions on real faces: these numbers '
          'say nothing about CASME II, SAMM or CAS(ME)^3.')


if __name__ == '__main__':
    run_main(main)
