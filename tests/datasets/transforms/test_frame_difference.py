import numpy as np
import pytest
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmcv.transforms import Compose

from mmaction_tsfmicro.datasets.transforms import (FlowAsFramePair,
                                                   FrameDifference)
from mmaction_tsfmicro.datasets.transforms.frame_difference import \
    IMAGENET_STD_RGB


def pair(h=5, w=7):
    rng = np.random.default_rng(1)
    onset = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    apex = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    return onset, apex


def test_difference_is_signed_float():
    onset, apex = pair()
    out = FrameDifference()(dict(imgs=[onset, apex], clip_len=2,
                                 num_clips=1))
    (diff, ) = out['imgs']
    assert diff.dtype == np.float32 and out['clip_len'] == 1
    np.testing.assert_array_equal(diff, apex.astype(float) - onset)
    assert diff.min() < 0  # uint8 arithmetic would have wrapped


def test_pair_is_required():
    with pytest.raises(ValueError, match=r'needs the loaded \(onset, apex\) '
                       r'pair in "imgs", got 1 frame\(s\)'):
        FrameDifference()(dict(imgs=[np.zeros((2, 2, 3))], subject='s',
                               clip='c'))


def test_flow_reaches_the_pair_models_difference():
    """After the TSFmicro configs' data preprocessor, apex - onset (what the
    temporal branch reads, docs/model.md) is the flow itself."""
    onset, apex = pair()
    flow = np.random.default_rng(2).normal(0, 1.5, (5, 7, 3)).astype(
        np.float32)
    pipeline = Compose([
        FlowAsFramePair(),
        TRANSFORMS.build(dict(type='FormatShape', input_format='NCTHW')),
        TRANSFORMS.build(dict(type='PackActionInputs')),
    ])
    packed = pipeline(dict(imgs=[onset, apex], flow=flow, clip_len=2,
                           num_clips=1, label=0))
    assert tuple(packed['inputs'].shape) == (1, 3, 2, 5, 7)
    preprocessor = MODELS.build(
        dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
             std=list(IMAGENET_STD_RGB), format_shape='NCTHW'))
    x = preprocessor(dict(inputs=[packed['inputs']],
                          data_samples=[packed['data_samples']]))['inputs']
    difference = (x[:, 0, :, 1] - x[:, 0, :, 0])[0].permute(1, 2, 0)
    torch.testing.assert_close(difference, torch.from_numpy(flow),
                               atol=2e-5, rtol=0)
    # the onset is the spatial branch's input, as with frames
    onset_in = x[0, 0, :, 0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(
        onset_in, (onset - np.array([123.675, 116.28, 103.53])) /
        np.array(IMAGENET_STD_RGB), atol=1e-5)


def test_flow_shape_must_match_the_frames():
    onset, apex = pair()
    with pytest.raises(ValueError, match=r'flow of shape \(4, 7, 3\) does '
                       r'not match the frames \(5, 7, 3\)'):
        FlowAsFramePair()(dict(imgs=[onset, apex],
                               flow=np.zeros((4, 7, 3), np.float32)))
    with pytest.raises(KeyError, match="has no 'flow'; put LoadFlow"):
        FlowAsFramePair()(dict(imgs=[onset, apex]))
