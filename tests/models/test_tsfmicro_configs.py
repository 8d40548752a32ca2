"""The _base_ model and schedule configs of TSFmicro."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE = osp.join(REPO, 'configs', '_base_')


def test_model_config_is_self_contained():
    cfg = Config.fromfile(osp.join(BASE, 'models', 'tsfmicro.py'))
    # the plugin is imported by configs/_base_/default_runtime.py; a second
    # custom_imports among the bases would be a duplicate key
    assert 'custom_imports' not in cfg
    model = cfg.model
    assert model.type == 'Recognizer3D'
    assert model.backbone == dict(type='TSFmicro', arch='paper',
                                  fusion='late')
    assert model.neck.type == 'TimeSpaceFusion' and model.neck.mode == 'sum'
    assert model.cls_head.type == 'TSFmicroHead'
    assert model.cls_head.num_classes == 5
    pre = model.data_preprocessor
    assert pre.type == 'ActionDataPreprocessor'
    assert pre.format_shape == 'NCTHW'
    # ImageNet mean/std of the official code, in 0-255 RGB
    assert pre.mean == pytest.approx([0.485 * 255, 0.456 * 255, 0.406 * 255])
    assert pre.std == pytest.approx([0.229 * 255, 0.224 * 255, 0.225 * 255])


def test_schedule_follows_the_official_training():
    cfg = Config.fromfile(osp.join(BASE, 'schedules', 'tsfmicro_adamw.py'))
    assert cfg.train_cfg.type == 'EpochBasedTrainLoop'
    assert cfg.train_cfg.max_epochs == 174
    # LOSO has no validation split: no val_cfg (the dataset bases set the
    # val_* keys to None)
    assert 'val_cfg' not in cfg and cfg.test_cfg.type == 'TestLoop'
    assert 'train_dataloader' not in cfg  # batch size: dataset configs

    model = torch.nn.Linear(2, 2)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    optimizer = wrapper.optimizer
    assert isinstance(optimizer, torch.optim.AdamW)
    assert optimizer.defaults['lr'] == 8e-4
    assert optimizer.defaults['weight_decay'] == 0.6

    schedulers = [
        PARAM_SCHEDULERS.build(dict(s, optimizer=wrapper))
        for s in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:  # once per epoch, as the Runner does
            scheduler.step()
    # epoch e trains with 8e-4 * 0.987^min(e, 50) (official: step only
    # after the first 50 epochs)
    expected = [8e-4 * 0.987**min(e, 50) for e in range(174)]
    assert lrs == pytest.approx(expected, rel=1e-9)
