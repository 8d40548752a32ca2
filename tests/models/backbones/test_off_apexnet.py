import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmaction_tsfmicro.models.backbones import OFFApexNet


def recognizer(num_classes=3, **backbone):
    return MODELS.build(
        dict(type='Recognizer2D',
             backbone=dict(type='OFFApexNet', **backbone),
             cls_head=dict(type='TSNHead', num_classes=num_classes,
                           in_channels=1024, dropout_ratio=0.5,
                           average_clips='prob'),
             data_preprocessor=dict(type='ActionDataPreprocessor',
                                    format_shape='NCHW')))


def test_layer_sizes_of_the_paper():
    net = OFFApexNet()
    assert len(net.streams) == 2  # horizontal and vertical flow
    convs = [m for m in net.streams[0] if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs
            ] == [(1, 6, (5, 5)), (6, 16, (5, 5))]
    fcs = [m for m in net.fc if isinstance(m, torch.nn.Linear)]
    assert [(f.in_features, f.out_features) for f in fcs] == [(1568, 1024),
                                                              (1024, 1024)]
    out = net(torch.randn(4, 2, 28, 28))
    assert out.shape == (4, 1024, 1, 1)
    # 2 x (156 + 2416) + 1568*1024+1024 + 1024*1024+1024 + 1024*3+3
    assert sum(p.numel() for p in recognizer().parameters()) == 2664475


def test_each_stream_sees_only_its_channel():
    net = OFFApexNet().eval()
    x = torch.randn(2, 2, 28, 28)
    y = x.clone()
    y[:, 1] = torch.randn(2, 28, 28)
    with torch.no_grad():
        a0 = net.streams[0](x[:, :1])
        b0 = net.streams[0](y[:, :1])
    torch.testing.assert_close(a0, b0)
    assert not torch.allclose(net(x), net(y))


def test_trains_and_predicts_in_recognizer2d():
    model = recognizer(in_channels=3)
    inputs = [torch.randn(1, 3, 28, 28) for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    data = model.data_preprocessor(dict(inputs=inputs,
                                        data_samples=samples), True)
    losses = model(**data, mode='loss')
    losses['loss_cls'].backward()
    assert torch.isfinite(losses['loss_cls'])
    model.eval()
    preds = model(**model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples)), mode='predict')
    assert preds[0].pred_score.shape == (3, )


def test_wrong_input_is_named():
    with pytest.raises(ValueError, match=r'OFFApexNet takes \(N, 2, 28, 28\) '
                       r'flow, got \(1, 2, 32, 32\); load it with '
                       r'LoadFlow\(size=28'):
        OFFApexNet()(torch.zeros(1, 2, 32, 32))
    with pytest.raises(ValueError, match='multiple of 4'):
        OFFApexNet(input_size=30)
