"""Run the two-process launchers again and again: does any run fail?

A process that leaves a process group at exit with gloo's threads still
running can abort in their destructors (``terminate called without an
active exception``) after its work is done, so that torchrun reports a
failed rank now and then. This tool trains one epoch with
``tools/dist_train.sh CONFIG 2`` and tests the checkpoint with
``tools/dist_test.sh CONFIG CKPT 2`` ``--runs`` times each, on a generated
data set, and counts the runs that exit non-zero or print such an abort.
It is not part of the test suite (it takes minutes); docs/benchmarks.md
has what it measured.

Example::

    python tools/misc/dist_stress.py --runs 30
"""
import os
import os.path as osp
import socket
import subprocess
import sys
import tempfile
import time

from mmaction_tsfmicro.testing import make_synthetic_dataset
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: A TSFmicro-tiny config of 32x32 frames (two epochs, batch 4).
CONFIG = osp.join(REPO, 'tests', 'data', 'configs', 'tiny_synthetic.py')
ABORT = 'terminate called'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def launch(script: str, args: list, env: dict) -> tuple:
    """One launch; ``(exit code, aborted, seconds)``."""
    env = dict(env, PORT=str(free_port()))
    start = time.time()
    proc = subprocess.run(['bash', osp.join(REPO, 'tools', script)] + args,
                          cwd=REPO, env=env, capture_output=True, text=True)
    aborted = ABORT in proc.stdout + proc.stderr
    return proc.returncode, aborted, time.time() - start


def main() -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=30,
                        help='launches of each of train and test')
    args = parser.parse_args()
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    failures = {'train': 0, 'test': 0}
    seconds = {'train': 0., 'test': 0.}
    with tempfile.TemporaryDirectory(prefix='dist_stress_') as tmp:
        ann = make_synthetic_dataset(osp.join(tmp, 'data'))
        data = []
        for split in ('train_dataloader', 'test_dataloader'):
            data += [f'{split}.dataset.ann_file={ann}',
                     f'{split}.dataset.data_prefix.img={tmp}/data']
        for i in range(args.runs):
            work = osp.join(tmp, f'run{i}')
            code, aborted, secs = launch('dist_train.sh', [
                CONFIG, '2', '--work-dir', work, '--cfg-options'] + data +
                ['train_cfg.max_epochs=1'], env)
            failures['train'] += bool(code or aborted)
            seconds['train'] += secs
            ckpt = osp.join(work, 'epoch_1.pth')
            code, aborted, secs = launch('dist_test.sh', [
                CONFIG, ckpt, '2', '--work-dir', work, '--dump',
                osp.join(work, 'preds.pkl'), '--cfg-options'] + data, env)
            failures['test'] += bool(code or aborted)
            seconds['test'] += secs
            print(f'run {i + 1}/{args.runs}: failures so far: train '
                  f"{failures['train']}, test {failures['test']}",
                  flush=True)
    for kind in ('train', 'test'):
        print(f'{kind}: {args.runs} two-process runs, {failures[kind]} '
              f'failed (non-zero exit or "{ABORT}"), '
              f'{seconds[kind] / max(args.runs, 1):.1f} s a run')
    return 1 if any(failures.values()) else 0


if __name__ == '__main__':
    run_main(main)
