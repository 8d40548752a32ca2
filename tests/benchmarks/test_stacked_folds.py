"""tools/analysis_tools/benchmark_stacked_folds.py (benchmarks/
stacked_folds.py): several folds' models stepped as one equal the same
models stepped apart, and the tool's table, JSON and errors."""
import copy
import json
import os.path as osp

import pytest
import torch
from conftest import REPO_ROOT, run_script

from mmaction_tsfmicro.benchmarks import stacked_folds

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                'benchmark_stacked_folds.py')
DEMO = osp.join(REPO_ROOT, 'configs', 'tsfmicro',
                'tsfmicro_retnet-tiny_1xb32-30e_demo.py')
TINY = osp.join(REPO_ROOT, 'tests', 'data', 'configs', 'loso_tiny.py')


def folds_of(k, batch=2):
    models = []
    for seed in range(k):
        model, shape = stacked_folds.build_logits(DEMO, seed)
        models.append(model.train())
    gen = torch.Generator().manual_seed(1)
    inputs = torch.randn((k, batch) + shape, generator=gen)
    labels = torch.randint(0, 5, (k, batch), generator=gen)
    return models, inputs, labels


def test_stacked_steps_equal_the_folds_apart():
    models, inputs, labels = folds_of(2)
    apart = stacked_folds.Apart([copy.deepcopy(m) for m in models], 1e-3)
    stacked = stacked_folds.Stacked([copy.deepcopy(m) for m in models], 1e-3)
    # one step: after it, AdamW moves a weight whose gradient is zero up
    # to rounding (the stem's bias before its BatchNorm) a full step up or
    # down, so later steps start from weights apart by the learning rate
    apart.step(inputs, labels)
    stacked.step(inputs, labels)
    assert stacked_folds.relative_difference(
        apart.gradients(), stacked.gradients()) < 1e-4
    # each fold kept its own BatchNorm statistics, as apart
    for k, model in enumerate(apart.models):
        for name, buf in model.named_buffers():
            if name in stacked.buffers and buf.dtype.is_floating_point:
                assert torch.allclose(stacked.buffers[name][k], buf,
                                      atol=1e-5), name
    # the folds differ (other weights, other batches): a stacked step that
    # gave every fold the first fold's batch would be caught
    wrong = stacked_folds.Stacked([copy.deepcopy(m) for m in models], 1e-3)
    wrong.step(inputs[:1].expand_as(inputs), labels[:1].expand_as(labels))
    assert stacked_folds.relative_difference(apart.gradients(),
                                             wrong.gradients()) > 1e-2


def test_a_model_that_draws_random_numbers_is_refused():
    # the tiny base config keeps its drop path (the demo config sets 0)
    with pytest.raises(ValueError, match=r'draws random numbers in training '
                       r'\(.*DropPath, 0\.'):
        stacked_folds.compare(TINY, 1, 2, 'cpu', warmup=0, iters=1)


def test_the_tool_prints_and_writes_the_table(tmp_path, monkeypatch, capsys):
    out = tmp_path / 'stacked.json'
    code, text, err = run_script(TOOL, [
        '--folds', '1', '2', '--batch-size', '2', '--iters', '1',
        '--warmup', '0', '--threads', '1', '--out', out
    ], monkeypatch, capsys)
    assert code == 0, err
    saved = json.loads(out.read_text())
    assert [r['folds'] for r in saved['rows']] == [1, 2]
    for row in saved['rows']:
        assert row['apart_s'] > 0 and row['stacked_s'] > 0
        assert row['gradient_difference'] < 1e-4
        speed = row['apart_s'] / row['stacked_s']
        assert f"| {row['folds']} | " in text and f'| {speed:.2f}x |' in text
    assert saved['report'] in text
    assert 'batch 2 a fold' in text and '1 threads' in text


@pytest.mark.parametrize('args, message', [
    (['--config', 'nope.py'], '--config nope.py: no such file'),
    (['--config', osp.join(REPO_ROOT, 'configs', 'baselines',
                           'ststnet_1xb32-60e_demo.py'), '--folds', '1'],
     'the tool times TSFmicro configs (an onset/apex pair of the backbone\'s '
     'input size); this one builds STSTNet'),
    (['--folds', '0'], '--folds: each value must be at least 1'),
])
def test_the_tool_refuses_bad_options(args, message, monkeypatch, capsys):
    code, _, err = run_script(TOOL, args, monkeypatch, capsys)
    (line, ) = err.strip().splitlines()
    assert code != 0 and line.startswith('benchmark_stacked_folds.py: '
                                         'error: ') and message in line
