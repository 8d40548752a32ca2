"""Every training config trains and tests through tools/train.py and
tools/test.py, on generated frames in its dataset's own layout.

The model is shrunk (the tiny arch at the configs' 224x224 input) and the
run lasts one epoch; everything else (pipelines, schedule, hooks, metric,
subject selection) is the config's own.
"""
import json
import os.path as osp
import pickle
import runpy
import sys

import pytest
from conftest import REPO_ROOT

from mmaction_tsfmicro.testing import make_synthetic_dataset

CASES = {
    'configs/tsfmicro_casme2.py': dict(
        layout='casme2_cropped', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    'configs/tsfmicro/tsfmicro_casme2.py': dict(
        layout='casme2_cropped', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    'configs/tsfmicro/tsfmicro_samm.py': dict(
        layout='samm', dataset='samm', subjects=('006', '007'), classes=5),
    'configs/tsfmicro/tsfmicro_casme3.py': dict(
        layout='casme3', dataset='casme3', subjects=('spNO.1', 'spNO.2'),
        classes=7),
    'configs/tsfmicro/tsfmicro_casme3_4cls.py': dict(
        layout='casme3', dataset='casme3', subjects=('spNO.1', 'spNO.2'),
        classes=4),
}

SHRINK = [
    'model.backbone.arch=tiny', 'model.neck.in_channels=64',
    'model.cls_head.in_channels=64', 'model.cls_head.hidden_channels=32',
    'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
    'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
    'test_dataloader.batch_size=4', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False'
]


def run_tool(tool, args, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [tool] + args)
    monkeypatch.chdir(REPO_ROOT)
    runpy.run_path(osp.join(REPO_ROOT, tool), run_name='__main__')


def train_and_test(config, data_options, tmp_path, monkeypatch, name):
    work = tmp_path / 'work'
    run_tool('tools/train.py', [
        config, '--work-dir', str(work), '--cfg-options', *SHRINK,
        *data_options, f'experiment_name={name}_train'
    ], monkeypatch)
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    dump = tmp_path / 'preds.pkl'
    run_tool('tools/test.py', [
        config, str(ckpt), '--work-dir', str(tmp_path / 'test'), '--dump',
        str(dump), '--cfg-options', *SHRINK, *data_options,
        f'experiment_name={name}_test'
    ], monkeypatch)
    with open(dump, 'rb') as f:
        return pickle.load(f)


@pytest.mark.parametrize('config', sorted(CASES))
def test_config_trains_and_tests(config, tmp_path, monkeypatch):
    case = CASES[config]
    classes = [f'c{i}' for i in range(case['classes'])]
    root = str(tmp_path / 'frames')
    ann = make_synthetic_dataset(
        root, subjects=case['subjects'], classes=classes, num_frames=5,
        layout=case['layout'], dataset=case['dataset'])
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}',
                    f'{split}.dataset.data_prefix.img={root}']
    preds = train_and_test(config, options, tmp_path, monkeypatch,
                           osp.basename(config)[:-3])
    # the config's default fold tests on its first subject, one clip a class
    assert len(preds) == case['classes']
    assert {p['subject'] for p in preds} == {case['subjects'][0]}
    assert all(p['pred_score'].shape == (case['classes'], ) for p in preds)


def test_megc2019_composite_config(tmp_path, monkeypatch):
    classes = ['negative', 'positive', 'surprise']
    roots = {'casme2': str(tmp_path / 'c2'), 'samm': str(tmp_path / 'sm')}
    records = []
    for dataset, subjects, layout in (('casme2', ('sub01', 'sub02'),
                                       'casme2_cropped'),
                                      ('samm', ('006', ), 'samm')):
        ann = make_synthetic_dataset(
            roots[dataset], subjects=subjects, classes=classes, num_frames=5,
            layout=layout, dataset=dataset)
        with open(ann) as f:
            records += json.load(f)['data_list']
    ann = tmp_path / 'megc.json'
    ann.write_text(json.dumps(dict(metainfo=dict(classes=classes),
                                   data_list=records)))
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}'] + [
            f'{split}.dataset.frame_roots.{k}={v}' for k, v in roots.items()
        ]
    preds = train_and_test('configs/tsfmicro/tsfmicro_megc2019.py', options,
                           tmp_path, monkeypatch, 'megc')
    assert len(preds) == 3
    assert {p['subject_key'] for p in preds} == {'casme2/sub01'}
