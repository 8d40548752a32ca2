"""Every baseline config and every TSFmicro variant (fusion modes, flow
input, class-weighted loss, balanced sampler) trains one epoch and tests
through tools/train.py and tools/test.py, on generated frames in its data
set's own layout (flow computed on first load where the config reads
flow)."""
import os.path as osp
import pickle
import runpy
import sys

import pytest
from conftest import REPO_ROOT

from .baseline_cases import CASES, case_options


def run_tool(tool, args, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [tool] + args)
    monkeypatch.chdir(REPO_ROOT)
    runpy.run_path(osp.join(REPO_ROOT, tool), run_name='__main__')


@pytest.mark.parametrize('config', sorted(CASES))
def test_config_trains_and_tests(config, tmp_path, monkeypatch):
    options = case_options(config, str(tmp_path / 'frames'))
    name = osp.basename(config)[:-3]
    work = tmp_path / 'work'
    run_tool('tools/train.py', [
        config, '--work-dir', str(work), '--cfg-options', *options,
        f'experiment_name={name}_train'
    ], monkeypatch)
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    dump = tmp_path / 'preds.pkl'
    run_tool('tools/test.py', [
        config, str(ckpt), '--work-dir', str(tmp_path / 'test'), '--dump',
        str(dump), '--cfg-options', *options, f'experiment_name={name}_test'
    ], monkeypatch)
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    # the config's default fold tests on sub01, one clip a class
    assert len(preds) == 5
    assert {p['subject'] for p in preds} == {'sub01'}
    assert all(p['pred_score'].shape == (5, ) for p in preds)
    if 'flow' in config or 'apexnet' in config or 'ststnet' in config:
        # the flow was computed once, on first load, and recorded
        assert (tmp_path / 'frames_flow' / 'flow_meta.json').is_file()
