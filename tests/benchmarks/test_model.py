"""tools/analysis_tools/benchmark_model.py (benchmarks/model.py): the
per-preset timing and its --profile break-down of where the time goes (no
timing is checked)."""
import os.path as osp

import pytest
import torch

from mmaction_tsfmicro.benchmarks.model import OP_KINDS, op_shares
from mmaction_tsfmicro.utils.modules import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
tool = load_script(
    osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_model.py'),
    'benchmark_model_tool')


def test_op_shares_put_the_time_where_it_goes():
    a = torch.randn(384, 384)
    x = torch.randn(1, 8, 64, 64)
    weight = torch.randn(8, 8, 3, 3)

    def products():
        for _ in range(5):
            torch.mm(a, a)

    def convolutions():
        for _ in range(5):
            torch.nn.functional.conv2d(x, weight, padding=1)

    shares = op_shares(products)
    assert set(shares) == set(OP_KINDS) | {'other'}
    assert sum(shares.values()) == pytest.approx(1.)
    assert shares['matrix products (linear layers)'] > 0.5
    shares = op_shares(convolutions)
    assert shares['convolutions'] > 0.5
    assert shares['matrix products (linear layers)'] < 0.1


def test_profile_prints_the_share_of_each_kind(capsys):
    tool.main(['--arch', 'tiny', '--input-size', '32', '--batch-size', '2',
               '--threads', '1', '--warmup', '0', '--iters', '1',
               '--profile'])
    out = capsys.readouterr().out
    assert '| tiny | configs/_base_/models/tsfmicro_tiny.py | 32x32 |' in out
    assert 'tiny: first training step ' in out
    assert 'torch.compile' not in out
    lines = [line for line in out.splitlines() if line.startswith('| tiny |')]
    steps = {line.split(' | ')[1] for line in lines[1:]}
    assert steps == {'train step', 'forward'}
    for line in lines[1:]:
        cells = [c.strip() for c in line.strip('|').split('|')][2:]
        assert len(cells) == len(OP_KINDS) + 1
        assert sum(int(c.rstrip(' %')) for c in cells) == pytest.approx(
            100, abs=len(cells))  # rounded to whole per cent
