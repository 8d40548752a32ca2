import pytest
import torch
from mmaction.registry import MODELS

from mmaction_tsfmicro.models.backbones import STSTNet


def test_layer_sizes_of_the_paper():
    net = STSTNet()
    convs = [s[0] for s in net.streams]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.padding)
            for c in convs] == [(3, 3, (3, 3), (2, 2)),
                                (3, 5, (3, 3), (2, 2)),
                                (3, 8, (3, 3), (2, 2))]
    assert net.out_channels == 400
    out = net(torch.randn(2, 3, 28, 28))
    assert out.shape == (2, 400, 1, 1)
    model = MODELS.build(
        dict(type='Recognizer2D', backbone=dict(type='STSTNet'),
             cls_head=dict(type='TSNHead', num_classes=3, in_channels=400,
                           dropout_ratio=0.)))
    # convolutions 84 + 140 + 224, BatchNorms 32, classifier 1203
    assert sum(p.numel() for p in model.parameters()) == 1683


def test_stream_maps_before_pooling():
    net = STSTNet().eval()
    x = torch.randn(1, 3, 28, 28)
    with torch.no_grad():
        maps = [s(x) for s in net.streams]
    shapes = [tuple(m.shape[1:]) for m in maps]
    assert shapes == [(3, 10, 10), (5, 10, 10), (8, 10, 10)]
    with torch.no_grad():
        pooled = net.pool(torch.cat(maps, 1)).flatten(1)
    torch.testing.assert_close(net(x)[:, :, 0, 0], pooled)


def test_other_sizes_and_wrong_inputs():
    assert STSTNet(input_size=56).out_channels == 16 * 10 * 10
    with pytest.raises(ValueError, match=r'STSTNet takes \(N, 3, 28, 28\) '
                       r'inputs, got \(1, 2, 28, 28\)'):
        STSTNet()(torch.zeros(1, 2, 28, 28))
