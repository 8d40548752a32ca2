"""TSFmicroHead: forward, BaseHead loss and predict."""
import pytest
import torch
import torch.nn.functional as F
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models import TSFmicroHead


def samples(labels):
    return [ActionDataSample().set_gt_label(int(y)) for y in labels]


def test_registered_base_head():
    assert MODELS.get('TSFmicroHead') is TSFmicroHead
    assert issubclass(TSFmicroHead, BaseHead)


def test_forward_matches_its_definition():
    torch.manual_seed(0)
    head = TSFmicroHead(num_classes=3, in_channels=8, hidden_channels=16)
    head.init_weights()
    head.train()
    x = torch.randn(4, 8, 1, 2, 3)
    scores = head(x)
    assert scores.shape == (4, 3)
    # Linear -> BN over channels (batch and token statistics) -> Swish
    # -> mean over tokens -> Linear
    tokens = x.flatten(2).transpose(1, 2)  # (4, 6, 8)
    hidden = head.fc_proj(tokens)  # (4, 6, 16)
    mean = hidden.mean(dim=(0, 1))
    var = hidden.var(dim=(0, 1), unbiased=False)
    normed = (hidden - mean) / torch.sqrt(var + head.bn.eps)
    ref = head.fc_cls(F.silu(normed).mean(1))
    assert torch.allclose(scores, ref, atol=1e-5)


def test_accepts_4d_and_5d_maps_alike():
    torch.manual_seed(0)
    head = TSFmicroHead(num_classes=5, in_channels=8).eval()
    x = torch.randn(2, 8, 3, 3)
    assert torch.equal(head(x), head(x.unsqueeze(2)))
    assert head.hidden_channels == 1024
    with pytest.raises(ValueError, match=r'expects \(N, 8, \.\.\., h, w\)'):
        head(torch.randn(2, 7, 3, 3))


def test_loss_through_base_head():
    torch.manual_seed(0)
    head = TSFmicroHead(num_classes=5, in_channels=8, topk=(1, ))
    x = torch.randn(4, 8, 1, 2, 2)
    labels = torch.tensor([0, 1, 2, 3])
    losses = head.loss(x, samples(labels))
    assert set(losses) == {'loss_cls', 'top1_acc'}
    scores = head(x)
    assert losses['loss_cls'].item() == pytest.approx(
        F.cross_entropy(scores, labels).item(), rel=1e-5)
    losses['loss_cls'].backward()
    assert head.fc_proj.weight.grad.abs().sum() > 0


def test_label_smoothing():
    torch.manual_seed(0)
    head = TSFmicroHead(num_classes=5, in_channels=8, label_smooth_eps=0.1,
                        topk=(1, ))
    x = torch.randn(4, 8, 2, 2)
    labels = torch.tensor([0, 1, 2, 3])
    loss = head.loss(x, samples(labels))['loss_cls']
    scores = head(x)
    ref = F.cross_entropy(scores, labels, label_smoothing=0.1)
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)


def test_predict_averages_clips():
    torch.manual_seed(0)
    head = TSFmicroHead(num_classes=5, in_channels=8,
                        average_clips='prob').eval()
    x = torch.randn(6, 8, 1, 2, 2)  # 3 samples x 2 clips
    result = head.predict(x, samples([0, 1, 2]))
    probs = head(x).softmax(-1).view(3, 2, 5).mean(1)
    for sample, p in zip(result, probs):
        assert torch.allclose(sample.pred_score, p, atol=1e-6)
        assert sample.pred_label.item() == p.argmax().item()
