"""MicroExpressionSpotter: training, prediction, and the streaming form."""
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

import mmaction_tsfmicro.plugin  # noqa: F401

SPOTTER = dict(
    type='MicroExpressionSpotter',
    backbone=dict(type='TSFmicroSeq', input_mode='diff_prev',
                  stem_channels=(4, 8), stem_strides=(2, 2), grid_size=2,
                  embed_dims=16, depth=1, num_heads=2, pooling='none'),
    head=dict(type='SpottingHead', num_classes=3, in_channels=16,
              hidden_channels=8),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[120., 110., 100.], std=[50., 55., 60.],
                           format_shape='NCTHW'))


def build():
    torch.manual_seed(0)
    model = MODELS.build(SPOTTER)
    model.init_weights()
    return model


def samples(n, t):
    out = []
    for i in range(n):
        s = ActionDataSample()
        spot = np.zeros(t, np.float32)
        spot[2:5] = 1
        cls = np.full(t, -1, np.int64)
        cls[2:5] = i % 3
        s.set_field(spot, 'spot_labels')
        s.set_field(cls, 'class_labels')
        out.append(s)
    return out


def batch(n=2, t=9, size=16):
    rng = np.random.default_rng(0)
    clips = [torch.from_numpy(rng.integers(0, 255, (1, 3, t, size, size),
                                           dtype=np.uint8)) for _ in range(n)]
    return dict(inputs=clips, data_samples=samples(n, t))


def test_loss_predict_and_tensor_modes():
    model = build()
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_spot', 'loss_cls', 'spot_acc'}
    (losses['loss_spot'] + losses['loss_cls']).backward()
    model.eval()
    data = model.data_preprocessor(batch(), False)
    out = model(**data, mode='predict')
    assert out[0].pred_spot.shape == (9, ) and out[0].pred_class.shape == (9,
                                                                           3)
    spot, cls = model(data['inputs'], mode='tensor')
    torch.testing.assert_close(spot.sigmoid()[1], out[1].pred_spot)
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(data['inputs'], mode='train')


def test_stepping_frame_by_frame_equals_the_whole_clip():
    model = build().eval()
    raw = batch(n=1, t=12)
    data = model.data_preprocessor(raw, False)
    whole = model(**data, mode='predict')[0]
    frames = raw['inputs'][0][0].permute(1, 2, 3, 0).numpy()  # T, H, W, C
    state = model.init_state(1)
    spots, classes = [], []
    for frame in frames:
        spot, cls, state = model.step(model.normalize(frame), state)
        spots.append(spot)
        classes.append(cls)
    torch.testing.assert_close(torch.cat(spots), whole.pred_spot,
                               atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(torch.cat(classes), whole.pred_class,
                               atol=1e-5, rtol=1e-4)


def test_labels_and_backbones_are_checked():
    model = build()
    data = model.data_preprocessor(batch(t=9), True)
    data['data_samples'] = samples(2, 7)
    with pytest.raises(ValueError, match='labels of shape'):
        model(**data, mode='loss')
    data['data_samples'] = [ActionDataSample(), ActionDataSample()]
    with pytest.raises(KeyError, match='no spot_labels'):
        model(**data, mode='loss')
    cfg = dict(SPOTTER, backbone=dict(type='TSFmicro', arch='tiny'))
    with pytest.raises(TypeError, match='no forward_frames'):
        MODELS.build(cfg)
