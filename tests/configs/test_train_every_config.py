"""Every training config trains and tests through tools/train.py and
tools/test.py, on generated frames in its dataset's own layout.

The model is shrunk (the tiny arch at the configs' 224x224 input) and the
run lasts one epoch; everything else (pipelines, schedule, hooks, metric,
subject selection) is the config's own.
"""
import os.path as osp
import pickle
import runpy
import sys

import pytest
from conftest import REPO_ROOT

from .config_cases import (CASES, MEGC, data_options, megc_options,
                           shrink_options)


def run_tool(tool, args, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [tool] + args)
    monkeypatch.chdir(REPO_ROOT)
    runpy.run_path(osp.join(REPO_ROOT, tool), run_name='__main__')


def train_and_test(config, data_options, tmp_path, monkeypatch, name):
    work = tmp_path / 'work'
    run_tool('tools/train.py', [
        config, '--work-dir',
        str(work), '--cfg-options', *shrink_options(config), *data_options,
        f'experiment_name={name}_train'
    ], monkeypatch)
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    dump = tmp_path / 'preds.pkl'
    run_tool('tools/test.py', [
        config,
        str(ckpt), '--work-dir',
        str(tmp_path / 'test'), '--dump',
        str(dump), '--cfg-options', *shrink_options(config), *data_options,
        f'experiment_name={name}_test'
    ], monkeypatch)
    with open(dump, 'rb') as f:
        return pickle.load(f)


@pytest.mark.parametrize('config', sorted(CASES))
def test_config_trains_and_tests(config, tmp_path, monkeypatch):
    case = CASES[config]
    options = data_options(config, str(tmp_path / 'frames'))
    preds = train_and_test(config, options, tmp_path, monkeypatch,
                           osp.basename(config)[:-3])
    # the config's default fold tests on its first subject, one clip a class
    assert len(preds) == case['classes']
    assert {p['subject'] for p in preds} == {case['subjects'][0]}
    assert all(p['pred_score'].shape == (case['classes'], ) for p in preds)


def test_megc2019_composite_config(tmp_path, monkeypatch):
    preds = train_and_test(MEGC, megc_options(str(tmp_path)), tmp_path,
                           monkeypatch, 'megc')
    assert len(preds) == 3
    assert {p['subject_key'] for p in preds} == {'casme2/sub01'}
