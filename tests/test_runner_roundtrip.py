"""Train, test, save, reload (load_from) and resume through the Runner."""
import os.path as osp

import pytest
import torch
from conftest import REPO_ROOT
from mmengine.config import Config
from mmengine.runner import Runner

TINY = osp.join(REPO_ROOT, 'tests', 'data', 'configs', 'tiny_synthetic.py')


def tiny_cfg(data, work_dir, name, **options):
    cfg = Config.fromfile(TINY)
    frame = dict(ann_file=data['ann_file'], data_prefix=dict(img=data['root']))
    cfg.merge_from_dict({
        'train_dataloader.dataset.ann_file': frame['ann_file'],
        'train_dataloader.dataset.data_prefix': frame['data_prefix'],
        'test_dataloader.dataset.ann_file': frame['ann_file'],
        'test_dataloader.dataset.data_prefix': frame['data_prefix'],
        'work_dir': str(work_dir),
        'experiment_name': name,
        **options
    })
    return cfg


def state_of(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_train_test_load_from_and_resume(synthetic_data, tmp_path):
    work = tmp_path / 'work'
    runner = Runner.from_cfg(tiny_cfg(synthetic_data, work, 'train'))
    runner.train()
    assert runner.epoch == 2
    for name in ('epoch_1.pth', 'epoch_2.pth', 'last_checkpoint'):
        assert (work / name).is_file()
    metrics = runner.test()
    assert 0. <= metrics['acc/top1'] <= 1.
    trained = state_of(runner)

    # load_from: same weights, same test numbers
    loaded = Runner.from_cfg(
        tiny_cfg(synthetic_data, tmp_path / 'test', 'load',
                 load_from=str(work / 'epoch_2.pth')))
    assert loaded.test() == pytest.approx(metrics)
    for key, value in state_of(loaded).items():
        assert torch.equal(value, trained[key]), key

    # resume: continues at epoch 3 from the work dir's last checkpoint
    ckpt = torch.load(str(work / 'epoch_2.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 2
    assert 'message_hub' in ckpt and 'optimizer' in ckpt
    resumed = Runner.from_cfg(
        tiny_cfg(synthetic_data, work, 'resume', resume=True,
                 **{'train_cfg.max_epochs': 3}))
    resumed.train()
    assert resumed.epoch == 3
    assert (work / 'epoch_3.pth').is_file()
    resumed_ckpt = torch.load(str(work / 'epoch_3.pth'), map_location='cpu')
    # the optimizer went on from the saved state: 3 epochs of steps
    steps = [s['step'] for s in
             resumed_ckpt['optimizer']['state'].values()]
    assert all(float(s) == 3 * float(ckpt['optimizer']['state'][0]['step'])
               / 2 for s in steps)
