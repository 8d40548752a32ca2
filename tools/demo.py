"""The demo: the whole plugin, end to end, on real faces (``make demo``).

1. ``tools/data/make_demo_dataset.py``: synthetic action-unit motions on
   real faces from installed packages, in CASME II's layout with a CASME II
   coding sheet (cached: a finished set is reused);
2. ``tools/data/build_annotations.py casme2``: the coding sheet into the
   normalized annotation file;
3. ``tools/data/preprocess_faces.py``: face alignment of every clip
   (finished clips are skipped);
4. ``tools/loso.py configs/tsfmicro_demo.py``: leave-one-subject-out over
   every demo subject, resumed when the work dir holds an earlier run;

then it prints where the report is, with its UF1, UAR and accuracy. Every
step is the command a user would type; they are printed as they run.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/tsfmicro_demo.py'


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Run the demo: demo data set, annotations, face '
        'alignment and a full LOSO experiment with its report')
    parser.add_argument('--data-dir', default='data/demo',
                        help='folder of the demo data (default: data/demo)')
    parser.add_argument('--work-dir', default='work_dirs/demo_loso',
                        help='LOSO work dir (default: work_dirs/demo_loso)')
    parser.add_argument('--config', default=CONFIG,
                        help=f'LOSO config (default: {CONFIG})')
    parser.add_argument('--subjects', type=int, default=None,
                        help='demo subjects (default: every usable face, '
                        '19)')
    parser.add_argument('--clips-per-class', type=int, default=None,
                        help='demo clips of each class per subject '
                        '(default: 3)')
    parser.add_argument('--jobs', type=int, default=2,
                        help='folds trained at once, each with cores/jobs '
                        'threads (default: 2)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to tools/loso.py')
    return parser.parse_args(argv)


def run(step: str, cmd: list) -> float:
    """Run one step as a subprocess from the repository root."""
    print(f'\n==> {step}\n$ {" ".join(shlex.quote(c) for c in cmd)}',
          flush=True)
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
        str(min(2, os.cpu_count() or 1)), '--detector', 'mediapipe'
    ])
    loso = [
        py, 'tools/loso.py', args.config, '--work-dir', args.work_dir,
        '--jobs', str(args.jobs)
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
    print('The demo set is synthetic motions on real faces: these numbers '
          'say nothing about CASME II, SAMM or CAS(ME)^3.')


if __name__ == '__main__':
    run_main(main)
