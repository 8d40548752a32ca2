"""SpottingHead: per-frame logits and their losses."""
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

import mmaction_tsfmicro.plugin  # noqa: F401


def head(**kwargs):
    cfg = dict(type='SpottingHead', num_classes=3, in_channels=8,
               hidden_channels=16)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_logits_of_clips_and_of_single_frames():
    model = head().eval()
    feats = torch.randn(2, 5, 8)
    spot, cls = model(feats)
    assert spot.shape == (2, 5) and cls.shape == (2, 5, 3)
    one_spot, one_cls = model(feats[:, 3])
    torch.testing.assert_close(one_spot, spot[:, 3])
    torch.testing.assert_close(one_cls, cls[:, 3])
    p_spot, p_cls = model.probabilities(feats)
    torch.testing.assert_close(p_spot, spot.sigmoid())
    torch.testing.assert_close(p_cls.sum(-1), torch.ones(2, 5))
    with pytest.raises(ValueError, match=r'\(N, T, 8\)'):
        model(torch.randn(2, 5, 7))


def test_losses_weigh_positives_and_ignore_frames_outside():
    model = head(pos_weight=3., loss_cls_weight=0.5)
    feats = torch.randn(2, 4, 8)
    spot_labels = torch.tensor([[0, 1, 1, 0], [0, 0, 0, 0]], dtype=torch.float)
    cls_labels = torch.tensor([[-1, 2, 2, -1], [-1, -1, -1, -1]])
    losses = model.loss_by_labels(feats, spot_labels, cls_labels)
    spot, cls = model(feats)
    # pos_weight multiplies the positive frames' term
    expected = -(3 * spot_labels * F.logsigmoid(spot) +
                 (1 - spot_labels) * F.logsigmoid(-spot)).mean()
    torch.testing.assert_close(losses['loss_spot'], expected)
    expected_cls = 0.5 * F.cross_entropy(cls[0, 1:3], cls_labels[0, 1:3])
    torch.testing.assert_close(losses['loss_cls'], expected_cls)
    assert 0 <= float(losses['spot_acc']) <= 1
    # a batch without expression frames: class loss 0, still differentiable
    none = model.loss_by_labels(feats, torch.zeros(2, 4),
                                torch.full((2, 4), -1))
    assert float(none['loss_cls'].detach()) == 0.0
    (none['loss_spot'] + none['loss_cls']).backward()
    assert model.cls[-1].weight.grad is not None
