"""The GPU measurements, as one prepared run
(``tools/analysis_tools/benchmark_gpu.py``).

Each step runs one of the project's own tools as a subprocess and keeps
its output under the run's folder; the report gathers them:

1. ``model``: ``tools/analysis_tools/benchmark.py`` on the paper-size model
   at batch 8 and 32, float32 and AMP, against the official code on the
   same device (when ``--official`` is given);
2. ``demo``: the demo LOSO (``tools/loso.py`` on the demo config, the
   first ``--folds`` subjects of the demo set), float32 and AMP: wall time
   and pooled scores;
3. ``casme2``: a LOSO of CASME II's size on generated frames (26 subjects,
   10 clips each, 224 x 224: every fold trains on 25 subjects' clips) with
   the paper-size config for ``--casme2-epochs`` epochs, the first
   ``--folds`` folds, float32 and AMP: the time an epoch of a fold,
   projected to the full 174-epoch, 26-fold run.
4. ``stacked``: ``tools/analysis_tools/benchmark_stacked_folds.py``: the
   demo config's model, 1, 2, 4 and 8 folds trained as one (stacked with
   ``torch.func``) against the same folds one after another, batch 32 a
   fold: whether several folds in one process pay on the device.

``--dry-run`` makes every step small (tiny model, batch 2, two subjects,
one epoch, generated frames of 32 x 32 for the demo too) so that the whole
script is checked on a CPU in minutes; its numbers mean nothing.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CONFIG = 'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py'
CASME2_CONFIG = 'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py'
CASME2_SHAPE = dict(folds=26, epochs=174)


def run_step(name: str, cmd: List[str], out_dir: str) -> Dict:
    """Run ``cmd`` from the repository root, its output to
    ``out_dir/<name>.log``; the wall time and exit status."""
    log = osp.join(out_dir, f'{name}.log')
    print(f'[gpu] {name}: {" ".join(cmd)}', flush=True)
    start = time.perf_counter()
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=f,
                              stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    status = 'ok' if proc.returncode == 0 else f'failed ({proc.returncode})'
    print(f'[gpu] {name}: {status}, {wall:.0f} s (log: {log})', flush=True)
    return dict(name=name, returncode=proc.returncode, wall_s=wall, log=log)


def model_steps(args, out_dir: str) -> List[Dict]:
    """benchmark.py in float32 and AMP."""
    steps = []
    for amp in (False, True):
        name = 'model_amp' if amp else 'model_fp32'
        cmd = [sys.executable, 'tools/analysis_tools/benchmark.py',
               '--device', args.device, '--no-memory', '--no-plain',
               '--out', osp.join(out_dir, f'{name}.json')]
        if args.dry_run:
            cmd += ['--arch', 'tiny', '--batch-size', '2', '--rounds', '1',
                    '--warmup', '0']
        else:
            cmd += ['--arch', 'paper', '--batch-size', '8', '32',
                    '--rounds', '5', '--warmup', '2']
        if args.official:
            cmd += ['--official', args.official, '--official-python',
                    args.official_python or sys.executable,
                    '--official-allocator', 'plugin']
        if amp:
            cmd.append('--amp')
        step = run_step(name, cmd, out_dir)
        step['json'] = osp.join(out_dir, f'{name}.json')
        steps.append(step)
    return steps


def _generated(folder: str, subjects: int, clips: int, size: int) -> str:
    from ..testing import make_synthetic_dataset
    return make_synthetic_dataset(
        folder, subjects=[f'sub{i + 1:02d}' for i in range(subjects)],
        clips_per_class=clips, classes=['c0', 'c1', 'c2', 'c3', 'c4'],
        num_frames=9, size=size, layout='casme2', dataset='casme2')


def loso_steps(name: str, config: str, options: List[str], args,
               out_dir: str, subjects: List[str]) -> List[Dict]:
    """tools/loso.py in float32 and AMP, each into its own work dir."""
    steps = []
    for amp in (False, True):
        tag = f'{name}_amp' if amp else f'{name}_fp32'
        work = osp.join(out_dir, tag)
        cmd = [sys.executable, 'tools/loso.py', config, '--work-dir', work,
               '--jobs', '1', '--subjects', ','.join(subjects)]
        if amp:
            cmd.append('--amp')
        if options:
            cmd += ['--cfg-options', *options]
        step = run_step(tag, cmd, out_dir)
        report = osp.join(work, 'loso_report.json')
        if osp.isfile(report):
            with open(report) as f:
                data = json.load(f)
            step.update(uf1=data['uf1'], uar=data['uar'],
                        folds=data['num_folds'], timing=data['timing'])
        steps.append(step)
    return steps


def data_options(ann: str, root: str, epochs: Optional[int]) -> List[str]:
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}',
                    f'{split}.dataset.data_prefix.img={root}',
                    f'{split}.dataset.layout=casme2']
    if epochs is not None:
        options.append(f'train_cfg.max_epochs={epochs}')
    return options


TINY = ['model.backbone.arch=tiny', 'model.neck.in_channels=64',
        'model.cls_head.in_channels=64', 'model.cls_head.hidden_channels=32',
        'train_dataloader.batch_size=4', 'test_dataloader.batch_size=4']


def demo_steps(args, out_dir: str) -> List[Dict]:
    """The demo LOSO: the demo set of ``make demo`` (``--demo-data``), or,
    in a dry run, a small generated set."""
    if args.dry_run:
        root = osp.join(out_dir, 'demo_data')
        ann = _generated(root, 2, 1, 32)
        options = data_options(ann, root, 1) + ['train_dataloader.batch_size=4']
    else:
        ann = osp.join(args.demo_data, 'annotations', 'demo_5cls.json')
        if not osp.isfile(ann):
            raise FileNotFoundError(
                f'{ann}: no demo set; make it first (python tools/demo.py, '
                'or make demo) or give --demo-data')
        options = []
    folds = 2 if args.dry_run else args.folds
    subjects = [f'sub{i + 1:02d}' for i in range(folds)]
    return loso_steps('demo', DEMO_CONFIG, options, args, out_dir, subjects)


def casme2_epochs(args) -> int:
    """Epochs of each fold of the CASME II-size LOSO."""
    return 1 if args.dry_run else args.casme2_epochs


def casme2_steps(args, out_dir: str) -> List[Dict]:
    """A LOSO of CASME II's size on generated frames, a few epochs."""
    root = osp.join(out_dir, 'casme2_data')
    if args.dry_run:
        ann = _generated(root, 2, 1, 32)
        options = data_options(ann, root, 1) + TINY
    else:
        ann = _generated(root, CASME2_SHAPE['folds'], 2, 224)
        options = data_options(ann, root, casme2_epochs(args))
    folds = 2 if args.dry_run else args.folds
    subjects = [f'sub{i + 1:02d}' for i in range(folds)]
    return loso_steps('casme2', CASME2_CONFIG, options, args, out_dir,
                      subjects)


def stacked_steps(args, out_dir: str) -> List[Dict]:
    """benchmark_stacked_folds.py on the demo config's model."""
    cmd = [sys.executable, 'tools/analysis_tools/benchmark_stacked_folds.py',
           '--device', args.device, '--out',
           osp.join(out_dir, 'stacked.json')]
    if args.dry_run:
        cmd += ['--folds', '1', '2', '--batch-size', '4', '--iters', '1']
    else:
        cmd += ['--folds', '1', '2', '4', '8', '--batch-size', '32',
                '--iters', '10', '--warmup', '3']
    step = run_step('stacked', cmd, out_dir)
    step['json'] = osp.join(out_dir, 'stacked.json')
    return [step]


def _iteration(step: Dict) -> str:
    """A LOSO step's mean training iteration and its wait for data: the
    share of the wait says whether the input pipeline holds the device
    back."""
    it = (step.get('timing') or {}).get('train_step')
    if not it:
        return '-'
    text = f"{it['seconds'] * 1e3:.1f} ms"
    if it.get('data_seconds') is not None and it['seconds'] > 0:
        text += (f" ({it['data_seconds'] * 1e3:.1f} ms, "
                 f"{100 * it['data_seconds'] / it['seconds']:.0f} %)")
    return text


def _table_rows(steps: List[Dict]) -> List[str]:
    rows = []
    for s in steps:
        scores = (f"{s['uf1']:.4f} / {s['uar']:.4f}" if 'uf1' in s
                  else '-')
        rows.append(f"| {s['name']} | {'ok' if s['returncode'] == 0 else 'failed'}"
                    f" | {s['wall_s']:.0f} s | {scores} | {_iteration(s)} "
                    f"| `{s['log']}` |")
    return rows


def write_report(args, out_dir: str, steps: List[Dict],
                 device_name: str) -> str:
    """``report.md`` and ``report.json`` of the run."""
    lines = [f'# GPU checks on {device_name}', '',
             f"`{' '.join(sys.argv)}`" + (' (dry run: the numbers mean '
                                           'nothing)' if args.dry_run else ''),
             '', '| step | status | wall | UF1 / UAR | training iteration '
             '(waiting for data) | log |',
             '|---|---|---|---|---|---|', *_table_rows(steps), '']
    for s in steps:
        if s.get('json') and osp.isfile(s['json']):
            with open(s['json']) as f:
                lines += [f"## {s['name']}", '', json.load(f)['report'], '']
    casme = {s['name']: s for s in steps if s['name'].startswith('casme2')}
    for tag, s in casme.items():
        if s['returncode'] == 0 and 'timing' in s:
            # a fold's own seconds (runner, training, testing)
            per_epoch = s['timing']['fold_seconds']['mean'] / \
                casme2_epochs(args)
            full = per_epoch * CASME2_SHAPE['folds'] * \
                CASME2_SHAPE['epochs'] / 3600
            lines.append(f'{tag}: {per_epoch:.1f} s an epoch of a fold '
                         f'(building and testing included); the '
                         f'full LOSO (26 folds x 174 epochs) projected '
                         f'at {full:.1f} h')
    if not any(s['name'] == 'stacked' for s in steps):
        lines.append('Several folds trained as one: not measured (the '
                     '`stacked` step did not run).')
    text = '\n'.join(lines) + '\n'
    from ..utils.fileio import write_json, write_text
    write_text(osp.join(out_dir, 'report.md'), text)
    write_json(osp.join(out_dir, 'report.json'),
               dict(device=device_name, dry_run=args.dry_run, steps=steps))
    return text


def device_name(device: str) -> str:
    import torch

    from .machine import machine_description
    if device == 'cuda':
        return f'{torch.cuda.get_device_name(0)} (torch {torch.__version__})'
    return f'{machine_description()} (torch {torch.__version__})'


def run_checks(args) -> int:
    """Every step of ``args.steps``; 1 when one failed."""
    import torch
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError('--device cuda: torch sees no CUDA device here '
                           '(--dry-run --device cpu checks the script)')
    out_dir = osp.abspath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    makers = dict(model=model_steps, demo=demo_steps, casme2=casme2_steps,
                  stacked=stacked_steps)
    steps = []
    for step in args.steps:
        steps += makers[step](args, out_dir)
    print(write_report(args, out_dir, steps, device_name(args.device)))
    return 0 if all(s['returncode'] == 0 for s in steps) else 1
