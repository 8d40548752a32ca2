"""tools/analysis_tools/benchmark.py and mmaction_tsfmicro/benchmarks/: the
official worker's protocol (on a stand-in
official checkout), the arithmetic of the report, and a run of the tool on
the tiny model with the data pipeline of a generated data set."""
import json
import os
import os.path as osp
import subprocess
import sys
import textwrap

import pytest
import torch

from mmaction_tsfmicro.benchmarks import official, projections, side_by_side
from mmaction_tsfmicro.benchmarks.report import report
from mmaction_tsfmicro.testing import make_synthetic_dataset
from mmaction_tsfmicro.utils.modules import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark.py')
cli = load_script(TOOL, 'benchmark_tool')

# A stand-in for the official code's layout: ``classes/model/ts_micro.py``
# with a ``ts_micro(num_classes)`` taking (onset, apex). It has the
# ``vit_pos.pos_embed`` the worker randomizes.
STAND_IN = '''
import torch
from torch import nn


class _Pos(nn.Module):

    def __init__(self):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, 4, 8))


class ts_micro(nn.Module):

    def __init__(self, num_classes=5):
        super().__init__()
        self.vit_pos = _Pos()
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x1, x5):
        return self.fc((x5 - x1).mean((2, 3))) + self.vit_pos.pos_embed.sum()
'''


def stand_in_repo(tmp_path):
    model_dir = tmp_path / 'official' / 'classes' / 'model'
    model_dir.mkdir(parents=True)
    (model_dir.parent / '__init__.py').write_text('')
    (model_dir / '__init__.py').write_text('')
    (model_dir / 'ts_micro.py').write_text(STAND_IN)
    return str(tmp_path / 'official')


def test_official_worker_serves_timings_and_logits(tmp_path):
    repo = stand_in_repo(tmp_path)
    worker = official.OfficialMethod(sys.executable, repo, 1, 5, str(tmp_path))
    try:
        assert worker.info['ready'] and worker.info['params'] == 3 * 5 + 5 + 32
        gen = torch.Generator().manual_seed(0)
        onset = torch.randn(4, 3, 8, 8, generator=gen)
        apex = torch.randn(4, 3, 8, 8, generator=gen)
        torch.save(dict(onset=onset, apex=apex), tmp_path / 'in.pth')
        assert worker.ask(op='inputs', path=str(tmp_path / 'in.pth')) == \
            dict(num=4)
        # its logits are those of its saved weights on the inputs sent
        worker.ask(op='logits', path=str(tmp_path / 'logits.pth'))
        sys.path.insert(0, repo)
        try:
            from classes.model.ts_micro import ts_micro
        finally:
            sys.path.remove(repo)
        twin = ts_micro(num_classes=5)
        twin.load_state_dict(torch.load(worker.state_path))
        with torch.no_grad():
            expected = twin(onset, apex)
        assert torch.allclose(torch.load(tmp_path / 'logits.pth'), expected,
                              atol=1e-6)
        for op in ('train', 'forward'):
            # a timed run carries no memory sampler; a probe does
            seconds, peak = worker.run(op, 2)
            assert 0 < seconds < 60 and peak is None
            seconds, peak = worker.run(op, 2, memory=True)
            assert 0 < seconds < 60 and peak >= 0
        # a training step changed the weights; inference did not train
        worker.ask(op='logits', path=str(tmp_path / 'after.pth'))
        assert not torch.allclose(torch.load(tmp_path / 'after.pth'),
                                  expected)
        with pytest.raises(official.BenchmarkError, match="unknown op 'jump'"):
            worker.ask(op='jump')
    finally:
        worker.close()
    assert worker.proc.returncode == 0


def test_official_runs_with_default_or_plugin_allocator(tmp_path,
                                                        monkeypatch):
    from mmaction_tsfmicro.utils.allocator import MALLOC_ENV
    repo = stand_in_repo(tmp_path)
    # a MALLOC_ variable of the calling shell does not reach the default one
    monkeypatch.setenv('MALLOC_TOP_PAD_', '1')
    plain = official.OfficialMethod(sys.executable, repo, 1, 5, str(tmp_path))
    tuned = official.OfficialMethod(sys.executable, repo, 1, 5, str(tmp_path),
                                 name=official.OFFICIAL_TUNED)
    try:
        assert plain.name == official.OFFICIAL and plain.info['malloc'] == {}
        assert tuned.info['malloc'] == MALLOC_ENV
        # the same seed: the same weights, in files of their own
        assert plain.state_path != tuned.state_path
        a, b = torch.load(plain.state_path), torch.load(tuned.state_path)
        assert all(torch.equal(a[k], b[k]) for k in a)
    finally:
        plain.close()
        tuned.close()


def test_official_mistakes_are_one_line(tmp_path):
    with pytest.raises(official.BenchmarkError,
                       match='no classes/model/ts_micro.py; give a checkout'):
        official.OfficialMethod(sys.executable, str(tmp_path), 1, 5,
                             str(tmp_path))
    repo = stand_in_repo(tmp_path)
    with pytest.raises(official.BenchmarkError,
                       match='--official-python /nowhere/python: not found'):
        official.OfficialMethod('/nowhere/python', repo, 1, 5, str(tmp_path))


def test_projection_arithmetic():
    proj = projections.loso_projection(2.0)
    assert proj['training_samples'] == 26 * 174 * 240
    assert proj['hours'] == pytest.approx(26 * 174 * 240 / 2.0 / 3600)


def fake_results():
    def row(median, batch):
        return dict(median=median, min=median, per_sample=median / batch,
                    throughput=batch / median, peak_mb=100.0)
    return dict(
        machine='CPU', torch='2', load_before='0', load_after='0',
        peak_macs=1e9,
        archs=[dict(arch='paper', params=2e6, flops=10**8, size=[224, 224],
                    official_logits_max_abs_diff=1e-6,
                    official_same_argmax=True,
                    batches={'8': dict(
                        train={official.PLUGIN: row(2.0, 8),
                               official.OFFICIAL: row(3.0, 8)},
                        forward={official.PLUGIN: row(0.5, 8),
                                 official.OFFICIAL: row(1.5, 8)})})])


def test_report_ratios_and_fraction_of_peak():
    args = cli.parse_args(['--rounds', '3'])
    results = fake_results()
    results['projection'] = projections.projections(results, args)
    text = report(results, args)
    # official median / plugin median
    assert '| paper | 8 | train step | official | 1.50x |' in text
    assert '| paper | 8 | inference | official | 3.00x |' in text
    # train: 3 x 1e8 multiply-adds x 4 samples/s of 1e9 a second = 120 %
    assert ('| paper | 8 | plugin | 2000 ms (2000) | 4.0 | 500 ms (500) | '
            '16.0 | 100 / 100 | 120.0 % / 160.0 % |') in text
    assert 'logits max abs difference plugin - official 1e-06' in text
    assert ('plugin, cpu, batch 8, measured: 1,085,760 / 4.00 samples/s / '
            f'3600 = **{1085760 / 4 / 3600:.1f} h**') in text


def test_gpu_projection_states_its_assumptions():
    args = cli.parse_args(['--gpu-tflops', '20', '--gpu-efficiency',
                             '0.25'])
    proj = projections.projections(fake_results(), args)
    gpu = proj['rows'][-1]
    # 20e12 FLOP/s = 10e12 multiply-adds/s, a quarter of it: 2.5e12;
    # a training sample is 3 x 1e8 multiply-adds
    assert gpu['hours'] == pytest.approx(1085760 * 3e8 / 2.5e12 / 3600)
    assert 'assumed, not measured' in gpu['what']


def test_tool_on_the_tiny_model_and_a_generated_data_set(tmp_path):
    make_synthetic_dataset(str(tmp_path / 'data' / 'synthetic_loso'),
                           subjects=('sub01', 'sub02', 'sub03'))
    out = tmp_path / 'bench.json'
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, TOOL, '--arch', 'tiny', '--batch-size', '2',
         '--rounds', '2', '--warmup', '0', '--threads', '1',
         '--data-config', osp.join(ROOT, 'tests/data/configs/loso_tiny.py'),
         '--data-samples', '6', '--no-memory', '--out', str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    (tiny, ) = results['archs']
    entry = tiny['batches']['2']
    for op in ('train', 'forward'):
        assert sorted(entry[op]) == sorted([official.PLUGIN, official.PLAIN])
        for row in entry[op].values():
            assert row['median'] >= row['min'] > 0
            assert row['throughput'] == pytest.approx(2 / row['median'])
            assert row['peak_mb'] is None  # --no-memory
    # MMEngine's count, as the model zoo gives it for the demo config's
    # model (the tiny preset at 112x112, 5 classes)
    from mmaction_tsfmicro.apis.complexity import model_complexity
    cfg = osp.join(ROOT, 'configs', 'tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py')
    assert tiny['flops'] == model_complexity(cfg)['flops']
    assert tiny['params'] == model_complexity(cfg)['params']
    assert [r['source'] for r in results['data']] == ['frame files',
                                                      'frame cache']
    assert all(r['samples'] == 6 and r['throughput'] > 0
               for r in results['data'])
    assert results['data'][1]['build_seconds'] >= 0
    assert '| tiny | 2 | plugin |' in proc.stdout
    assert results['report'] == proc.stdout[proc.stdout.index(
        results['machine']):].rstrip('\n')


def test_memory_probe_measures_one_method_in_a_fresh_process(tmp_path):
    """Without --no-memory each method, op and batch is probed so, in a
    process of its own (one probe here: the tool runs them alike)."""
    import argparse
    args = argparse.Namespace(threads=1, num_classes=5)
    peak = side_by_side.probe_memory('tiny', 'train', 2, official.PLUGIN,
                                     args, str(tmp_path))
    assert isinstance(peak, float) and 0 <= peak < 2048


def test_amp_on_the_cpu_is_bfloat16_without_a_scaler():
    """--amp on the CPU: the plugin's steps run under bfloat16 autocast
    (float16 and a loss scaler are CUDA's); the weights stay float32."""
    model, size = official.build_plugin('tiny', 5)
    onset = torch.randn(2, 3, *size)
    method = official.PluginMethod('plugin', model, onset, onset + 0.1,
                                   'cpu', amp=True, plain=False)
    assert method.scaler is None and method.amp_dtype == torch.bfloat16
    with method._context():
        assert torch.is_autocast_enabled('cpu')
        assert torch.get_autocast_dtype('cpu') == torch.bfloat16
    before = model.cls_head.fc_cls.weight.detach().clone()
    seconds, peak = method.run('train', 2)
    assert seconds > 0 and peak is None
    assert model.cls_head.fc_cls.weight.dtype == torch.float32
    assert not torch.equal(model.cls_head.fc_cls.weight, before)


def test_bad_arguments_are_refused(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    if not torch.cuda.is_available():
        proc = subprocess.run([sys.executable, TOOL, '--device', 'cuda'],
                              env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2
        assert proc.stderr.strip().splitlines() == [
            'benchmark.py: error: --device cuda: torch sees no CUDA device '
            'here (see benchmark.py --help)'
        ]
    config = tmp_path / 'nodata.py'
    config.write_text(textwrap.dedent(f'''
        _base_ = ['{ROOT}/tests/data/configs/loso_tiny.py']
        train_dataloader = dict(dataset=dict(ann_file='nowhere/ann.json'))
    '''))
    proc = subprocess.run(
        [sys.executable, TOOL, '--arch', 'tiny', '--batch-size', '1',
         '--rounds', '1', '--warmup', '0', '--no-plain', '--no-memory',
         '--data-config', str(config)], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'benchmark.py: error: --data-config {config}: annotation file '
        'nowhere/ann.json not found (run it from the folder its paths are '
        'relative to, after `make demo` for the demo configs)'
    ]
