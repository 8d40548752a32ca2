"""The demo configs' cosine schedule (configs/_base_/schedules/
adamw_cosine.py) leaves T_max and end to MMEngine: trained by MMEngine's
runner, the learning rate of every epoch is the cosine over the run's
max_epochs, whatever max_epochs a config or --cfg-options gives."""
import glob
import math
import os.path as osp

import pytest
import torch
from conftest import REPO_ROOT
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner

DEMO = osp.join(REPO_ROOT, 'configs', 'tsfmicro',
                'tsfmicro_retnet-tiny_1xb32-30e_demo.py')


class Line(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 1)

    def forward(self, inputs, mode='tensor'):
        out = self.fc(torch.stack(inputs))
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class RecordRates(Hook):
    """Keeps the learning rate at the start of each training epoch."""

    def __init__(self):
        self.rates = []

    def before_train_epoch(self, runner):
        self.rates.append(runner.optim_wrapper.get_lr()['lr'][0])


def epoch_rates(cfg, work_dir, max_epochs):
    """The learning rate of each epoch of a run of ``cfg``'s schedule."""
    runner = Runner(
        model=Line(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=[dict(inputs=torch.ones(2))] * 4,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        optim_wrapper=cfg.optim_wrapper.to_dict(),
        param_scheduler=[s.to_dict() for s in cfg.param_scheduler],
        train_cfg=dict(cfg.train_cfg.to_dict(), max_epochs=max_epochs),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=100),
                           checkpoint=None),
        default_scope='mmaction',
        experiment_name=f'schedule_{max_epochs}')
    record = RecordRates()
    runner.register_hook(record)
    runner.train()
    return record.rates


@pytest.mark.parametrize('max_epochs', [30, 4])
def test_the_cosine_spans_the_run(tmp_path, max_epochs):
    cfg = Config.fromfile(DEMO)
    (cosine, ) = cfg.param_scheduler
    assert 'T_max' not in cosine and 'end' not in cosine
    base, low = cfg.optim_wrapper.optimizer.lr, cosine.eta_min
    assert base == 3e-3
    rates = epoch_rates(cfg, tmp_path, max_epochs)
    expected = [low + (base - low) * (1 + math.cos(math.pi * e / max_epochs))
                / 2 for e in range(max_epochs)]
    assert rates == pytest.approx(expected, rel=1e-6)


def test_no_config_repeats_the_cosine_block():
    """A config on the cosine base sets its length in train_cfg only."""
    base = 'schedules/adamw_cosine.py'
    users = [p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                                  recursive=True)
             if base in open(p).read()]
    assert len(users) >= 16
    for path in users:
        text = open(path).read()
        assert 'CosineAnnealingLR' not in text and 'T_max' not in text, path
