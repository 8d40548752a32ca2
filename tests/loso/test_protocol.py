"""What the LOSO protocol refuses."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_tsfmicro.loso.protocol import ProtocolError, check_protocol

TINY = osp.join(osp.dirname(__file__), '..', 'data', 'configs', 'loso_tiny.py')


@pytest.fixture
def cfg():
    return Config.fromfile(TINY)


def test_selection_on_the_test_subject_is_refused(cfg):
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', save_best='auto')
    with pytest.raises(
            ProtocolError, match=r"save_best='auto'.*--select-on-test"):
        check_protocol(cfg, select_on_test=False)
    assert check_protocol(cfg, select_on_test=True) == []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook')
    cfg.custom_hooks = [dict(type='EarlyStoppingHook', monitor='uf1')]
    with pytest.raises(ProtocolError, match='EarlyStoppingHook'):
        check_protocol(cfg, select_on_test=False)


def test_iteration_based_training_is_refused(cfg):
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
    with pytest.raises(ProtocolError, match='epoch-based'):
        check_protocol(cfg, False)
