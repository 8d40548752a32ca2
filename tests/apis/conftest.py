"""A small trained-like checkpoint of the tiny model, as the Runner saves
one, and generated frames for it."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import MODELS
from mmaction_tsfmicro.testing import make_synthetic_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'tests', 'data', 'configs', 'tiny_synthetic.py')
CLASSES = ['happiness', 'disgust', 'repression', 'surprise', 'others']


@pytest.fixture(scope='session')
def runner_checkpoint(tmp_path_factory):
    """A checkpoint with the keys MMEngine's Runner writes."""
    folder = tmp_path_factory.mktemp('ckpt')
    cfg = Config.fromfile(TINY)
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optimizer = torch.optim.AdamW(model.parameters())
    path = str(folder / 'epoch_2.pth')
    torch.save(dict(
        meta=dict(epoch=2, cfg=cfg.pretty_text,
                  dataset_meta=dict(classes=CLASSES, class_set='casme2_5')),
        state_dict=model.state_dict(), optimizer=optimizer.state_dict(),
        message_hub={'x': 1}, param_schedulers=[]), path)
    return path


@pytest.fixture(scope='session')
def frames(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('frames'))
    ann = make_synthetic_dataset(root, subjects=('sub01', ), num_frames=5)
    return dict(root=root, ann=ann)
