"""A damaged checkpoint, and the checkpoint of another config, met by every
tool that loads one: one line naming the file (and for another config the
config and the first key with both shapes), exit status 2, nothing
written."""
import glob
import os
import os.path as osp

import pytest
import torch
from conftest import REPO_ROOT, run_script

from mmaction_tsfmicro.testing import make_synthetic_dataset

TINY = osp.join(REPO_ROOT, 'tests', 'data', 'configs', 'tiny_synthetic.py')


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('ckpts')
    root = str(tmp / 'frames')
    ann = make_synthetic_dataset(root, subjects=('sub01', 'sub02'),
                                 num_frames=5)
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    cut = tmp / 'cut.pth'
    data = open(release, 'rb').read()
    cut.write_bytes(data[:len(data) // 3])
    other = tmp / 'other.pth'
    linear = torch.nn.Linear(3, 2)
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in
                                linear.state_dict().items()}), other)
    options = [f'{split}.dataset.{key}={value}'
               for split in ('train_dataloader', 'test_dataloader')
               for key, value in (('ann_file', ann), ('data_prefix.img',
                                                      root))]
    return dict(cut=str(cut), other=str(other), options=options,
                root=root)


def run_tool(tool, args, monkeypatch, capsys, cwd):
    code, _, err = run_script(osp.join(REPO_ROOT, 'tools', tool), args,
                              monkeypatch, capsys, cwd)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and 'Traceback' not in err, err
    prefix = f'{osp.basename(tool)}: error: '
    assert lines[0].startswith(prefix)
    return lines[0][len(prefix):]


def damaged(path):
    return (f'{path}: not a readable PyTorch checkpoint (cut short, damaged '
            'or another kind of file: ')


def another_config(path, config):
    return (f'{path}: its weights are not those of the model of the config '
            f'{config}; the checkpoint comes from another config (')


@pytest.mark.parametrize('tool', ['test.py', 'infer.py', 'gradcam',
                                  'publish_model.py'])
def test_a_damaged_checkpoint(tool, files, tmp_path, monkeypatch, capsys):
    cut = files['cut']
    args = {
        'test.py': [TINY, cut, '--work-dir', tmp_path / 'w',
                    '--cfg-options', *files['options']],
        'infer.py': ['-', cut, files['root'] + '/sub01/EP00_00',
                     '--onset', 1, '--apex', 3, '--out', tmp_path / 'r.json'],
        'gradcam': ['gradcam', TINY, cut, '--sample', 'sub01/EP00_00',
                    '--out', tmp_path / 'cam', '--cfg-options',
                    *files['options']],
        'publish_model.py': [cut, tmp_path / 'zoo' / 'name'],
    }[tool]
    script = {'gradcam': 'visualizations/visualize.py',
              'publish_model.py': 'deployment/publish_model.py'}.get(
                  tool, tool)
    message = run_tool(script, args, monkeypatch, capsys, tmp_path)
    assert message.startswith(damaged(cut)), message
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('tool', ['test.py', 'infer.py', 'gradcam'])
def test_the_checkpoint_of_another_config(tool, files, tmp_path,
                                          monkeypatch, capsys):
    other = files['other']
    config = TINY
    args = {
        'test.py': [config, other, '--work-dir', tmp_path / 'w',
                    '--cfg-options', *files['options']],
        'infer.py': [config, other, files['root'] + '/sub01/EP00_00',
                     '--onset', 1, '--apex', 3, '--out', tmp_path / 'r.json'],
        'gradcam': ['gradcam', config, other, '--sample', 'sub01/EP00_00',
                    '--out', tmp_path / 'cam', '--cfg-options',
                    *files['options']],
    }[tool]
    script = 'visualizations/visualize.py' if tool == 'gradcam' else tool
    message = run_tool(script, args, monkeypatch, capsys, tmp_path)
    assert message.startswith(another_config(other, config)), message
    # the first key of the model, with its shape, named
    assert ' in the model, not in the checkpoint (' in message
    assert len(message) < 400
    assert os.listdir(tmp_path) == []
