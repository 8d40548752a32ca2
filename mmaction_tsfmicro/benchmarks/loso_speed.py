"""The same LOSO run with different ``--jobs`` and ``--frame-cache``, or by
another checkout of this repository, side by side
(``tools/analysis_tools/benchmark_loso.py``): the settings and one run of
each.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import time

#: This checkout (its configs and tools/loso.py).
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def knows_frame_cache(repo: str) -> bool:
    """Whether the ``tools/loso.py`` of a checkout takes --frame-cache."""
    proc = subprocess.run([sys.executable, 'tools/loso.py', '--help'],
                          cwd=repo, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=repo))
    return '--frame-cache' in proc.stdout


def run_setting(args, setting: dict, work_dir: str) -> dict:
    repo = setting['repo']
    config = osp.abspath(args.config)
    rel = osp.relpath(config, REPO)
    if repo != REPO and osp.isfile(osp.join(repo, rel)):
        config = osp.join(repo, rel)  # the checkout's own copy
    cmd = [
        sys.executable, osp.join(repo, 'tools', 'loso.py'),
        config, '--work-dir', work_dir,
        '--subjects', args.subjects, '--jobs', str(setting['jobs'])
    ]
    if setting['frame_cache'] is not None:
        cmd += ['--frame-cache', setting['frame_cache']]
    if args.cfg_options:
        cmd += ['--cfg-options'] + args.cfg_options
    start = time.time()
    # the config's relative data paths are read from this repository's root
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=repo))
    seconds = time.time() - start
    if proc.returncode != 0:
        sys.exit(f'benchmark_loso: {setting["label"]} failed:\n'
                 f'{proc.stdout[-2000:]}{proc.stderr[-2000:]}')
    with open(osp.join(work_dir, 'loso_report.json')) as f:
        report = json.load(f)
    return dict(setting, seconds=seconds, report=report)


def settings(args) -> list:
    out = []
    for cache in args.frame_cache:
        for jobs in args.jobs:
            out.append(dict(repo=REPO, jobs=jobs, frame_cache=cache,
                            label=f'this checkout, --jobs {jobs}, '
                            f'--frame-cache {cache}'))
    if args.checkout:
        repo = osp.abspath(args.checkout)
        # a checkout without the frame cache runs without it, once a --jobs
        caches = args.frame_cache if knows_frame_cache(repo) else [None]
        for cache in caches:
            for jobs in args.jobs:
                out.append(dict(repo=repo, jobs=jobs, frame_cache=cache,
                                label=f'{args.checkout}, --jobs {jobs}' +
                                (f', --frame-cache {cache}' if cache else '')))
    return out
