"""tools/analysis_tools/benchmark_gpu.py (benchmarks/gpu_checks.py): the
steps' commands, the report and its projection. The whole script's CPU dry
run is in docs/benchmarks.md ("The GPU path"); here each part alone."""
import argparse
import json
import sys

import pytest

from mmaction_tsfmicro.benchmarks import gpu_checks


def args_of(**kw):
    base = dict(device='cpu', dry_run=False, official=None,
                official_python=None, casme2_epochs=3, folds=3,
                demo_data='data/demo', steps=['model'])
    base.update(kw)
    return argparse.Namespace(**base)


def test_model_steps_compare_float32_and_amp(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(gpu_checks, 'run_step', lambda name, cmd, out: (
        calls.append((name, cmd)) or dict(name=name, returncode=0,
                                          wall_s=1., log='x')))
    args = args_of(device='cuda', official='/o', official_python='/py')
    steps = gpu_checks.model_steps(args, str(tmp_path))
    assert [s['name'] for s in steps] == ['model_fp32', 'model_amp']
    (_, fp32), (_, amp) = calls
    assert fp32[fp32.index('--batch-size') + 1:][:2] == ['8', '32']
    assert fp32[fp32.index('--device') + 1] == 'cuda'
    assert fp32[fp32.index('--official') + 1] == '/o'
    assert '--amp' in amp and '--amp' not in fp32
    assert steps[1]['json'].endswith('model_amp.json')


def test_the_demo_step_needs_the_demo_set(tmp_path):
    with pytest.raises(FileNotFoundError, match='no demo set; make it first'):
        gpu_checks.demo_steps(args_of(demo_data=str(tmp_path)),
                              str(tmp_path))


def test_run_step_logs_and_times(tmp_path):
    step = gpu_checks.run_step('hello', [sys.executable, '-c',
                                         'print("hi")'], str(tmp_path))
    assert step['returncode'] == 0 and step['wall_s'] > 0
    assert (tmp_path / 'hello.log').read_text() == 'hi\n'
    step = gpu_checks.run_step('bad', [sys.executable, '-c',
                                       'raise SystemExit(3)'], str(tmp_path))
    assert step['returncode'] == 3


def test_report_projects_the_casme2_loso(tmp_path):
    steps = [
        dict(name='casme2_fp32', returncode=0, wall_s=100., log='a.log',
             uf1=0.5, uar=0.25, folds=3,
             timing=dict(fold_seconds=dict(mean=30.),
                         train_step=dict(seconds=0.02, data_seconds=0.015,
                                         folds=3))),
        dict(name='casme2_amp', returncode=1, wall_s=5., log='b.log'),
    ]
    text = gpu_checks.write_report(args_of(), str(tmp_path), steps,
                                   'GPU X (torch 2)')
    assert text.startswith('# GPU checks on GPU X (torch 2)')
    # a training iteration of 20 ms, 15 of them waiting for data: the
    # input pipeline holds the device back
    assert ('| casme2_fp32 | ok | 100 s | 0.5000 / 0.2500 | 20.0 ms (15.0 '
            'ms, 75 %) | `a.log` |') in text
    assert '| casme2_amp | failed | 5 s | - | - | `b.log` |' in text
    # 30 s a fold of 3 epochs: 10 s an epoch; x 26 folds x 174 epochs
    assert ('casme2_fp32: 10.0 s an epoch of a fold (building and testing '
            'included); the full LOSO (26 folds x 174 epochs) projected at '
            f'{10 * 26 * 174 / 3600:.1f} h') in text
    # a failed run projects nothing
    assert not any(line.startswith('casme2_amp:')
                   for line in text.splitlines())
    assert (tmp_path / 'report.md').read_text() == text
    saved = json.loads((tmp_path / 'report.json').read_text())
    assert saved['device'] == 'GPU X (torch 2)' and len(saved['steps']) == 2


def test_the_stacked_step_times_up_to_eight_folds(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(gpu_checks, 'run_step', lambda name, cmd, out: (
        calls.append(cmd) or dict(name=name, returncode=0, wall_s=1.,
                                  log='x')))
    (step, ) = gpu_checks.stacked_steps(args_of(device='cuda'),
                                        str(tmp_path))
    (dry, ) = gpu_checks.stacked_steps(args_of(dry_run=True), str(tmp_path))
    full, small = calls
    assert full[1].endswith('benchmark_stacked_folds.py')
    assert full[full.index('--device') + 1] == 'cuda'
    assert full[full.index('--folds') + 1:][:4] == ['1', '2', '4', '8']
    assert small[small.index('--batch-size') + 1] == '4'
    assert step['json'] == str(tmp_path / 'stacked.json')
    # the report says when it did not run, and shows its table when it did
    (tmp_path / 'stacked.json').write_text(json.dumps(dict(report='TABLE')))
    text = gpu_checks.write_report(args_of(), str(tmp_path), [step], 'GPU X')
    assert '## stacked\n\nTABLE\n' in text and 'not measured' not in text
    text = gpu_checks.write_report(args_of(), str(tmp_path), [], 'GPU X')
    assert 'Several folds trained as one: not measured' in text
