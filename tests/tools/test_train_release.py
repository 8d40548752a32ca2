"""tools/deployment/train_release.py: a recipe trained on every subject, published."""
import json
import os
import os.path as osp
import subprocess
import sys

import torch
from conftest import REPO_ROOT

from mmaction_tsfmicro.testing import make_synthetic_dataset

TOOL = osp.join(REPO_ROOT, 'tools', 'deployment', 'train_release.py')
TINY = osp.join(REPO_ROOT, 'tests', 'data', 'configs', 'tiny_synthetic.py')


def run(*args, cwd):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def test_trains_every_subject_and_publishes(tmp_path):
    root = str(tmp_path / 'frames')
    ann = make_synthetic_dataset(root, subjects=('sub01', 'sub02'),
                                 num_frames=5)
    report = dict(target=dict(size=32), detector='mediapipe',
                  max_shift=None)
    # a preprocess report in the frame folder is found by itself
    with open(osp.join(root, 'preprocess_report.json'), 'w') as f:
        json.dump(report, f)
    options = [f'train_dataloader.dataset.{k}={v}' for k, v in
               (('ann_file', ann), ('data_prefix.img', root))]
    proc = run(TINY, '--name', 'tiny_all', '--out-dir', tmp_path / 'zoo',
               '--cfg-options', 'train_cfg.max_epochs=1', *options,
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (release, ) = [f for f in os.listdir(tmp_path / 'zoo')
                   if f.endswith('.pth')]
    assert release.startswith('tiny_all-') and len(release) == 21
    assert osp.isfile(tmp_path / 'zoo' / (release[:-4] + '.log'))
    assert f'wrote {tmp_path / "zoo" / release}' in proc.stdout
    ckpt = torch.load(tmp_path / 'zoo' / release, weights_only=False)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert ckpt['meta']['classes'] == [
        'happiness', 'disgust', 'repression', 'surprise', 'others']
    assert ckpt['meta']['preprocessing']['detector'] == 'mediapipe'
    # every subject trained: sub01, held out by the config, is not left
    # out (10 samples in batches of 4: 3 iterations; without sub01: 2)
    with open(ann) as f:
        assert len(json.load(f)['data_list']) == 10
    assert "exclude_subjects=None" in ckpt['meta']['cfg'].replace(' ', '')
    log = (tmp_path / 'zoo' / (release[:-4] + '.log')).read_text()
    assert 'Epoch(train) [1][3/3]' in log


def test_all_subjects_config():
    from mmaction_tsfmicro.engine.all_subjects import all_subjects_config
    from mmaction_tsfmicro.engine.runner_args import load_config
    cfg = all_subjects_config(load_config(TINY))
    assert cfg.train_dataloader.dataset.exclude_subjects is None
    for part in ('val', 'test'):
        assert cfg[f'{part}_dataloader'] is None
        assert cfg[f'{part}_cfg'] is None
    assert 'val_interval' not in cfg.train_cfg


def test_mistakes_are_one_line(tmp_path):
    proc = run(tmp_path / 'nope.py', cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"train_release.py: error: {tmp_path / 'nope.py'}"
                           ': config not found\n')
    proc = run(TINY, '--preprocess-report', tmp_path / 'r.json',
               cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"train_release.py: error: {tmp_path / 'r.json'}"
                           ': preprocess report not found\n')
    # the release folder is a file: refused before training, nothing made
    (tmp_path / 'zoo').write_text('not a folder')
    proc = run(TINY, '--out-dir', tmp_path / 'zoo', cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"train_release.py: error: --out-dir "
                           f"{tmp_path / 'zoo'}: is a file, not a "
                           'directory\n')
    # a damaged load_from checkpoint: named, before training
    (tmp_path / 'cut.pth').write_bytes(b'not a checkpoint')
    proc = run(TINY, '--out-dir', tmp_path / 'rel', '--cfg-options',
               f"load_from={tmp_path / 'cut.pth'}", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        f"train_release.py: error: load_from={tmp_path / 'cut.pth'}: not a "
        'readable PyTorch checkpoint (cut short, damaged or another kind of '
        'file: ')
    assert proc.stderr.count('\n') == 1
    assert sorted(os.listdir(tmp_path)) == ['cut.pth', 'zoo']
