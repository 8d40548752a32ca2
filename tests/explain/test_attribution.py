import numpy as np
import pytest
import torch

from mmaction_tsfmicro.explain.attribution import (BranchAttribution, as_clips,
                                                   resolve_targets, upsample)


def test_targets_default_to_the_top_class_and_broadcast():
    logits = torch.tensor([[0., 2., 1.], [3., 0., 1.]])
    assert resolve_targets(None, logits).tolist() == [1, 0]
    assert resolve_targets(2, logits).tolist() == [2, 2]
    assert resolve_targets([0, 1], logits).tolist() == [0, 1]
    assert resolve_targets(np.array([2, 2]), logits).tolist() == [2, 2]


@pytest.mark.parametrize('target', [3, -1, [0, 1, 2]])
def test_a_wrong_target_is_refused(target):
    with pytest.raises(ValueError, match=r'one class index in 0\.\.2'):
        resolve_targets(target, torch.zeros(2, 3))


def test_clips_take_the_recognizer_layout():
    x = torch.zeros(2, 3, 2, 8, 8)
    assert as_clips(x).shape == (2, 1, 3, 2, 8, 8)
    assert as_clips(x[:, None]).shape == (2, 1, 3, 2, 8, 8)
    with pytest.raises(ValueError, match='onset/apex pairs'):
        as_clips(torch.zeros(2, 3, 3, 8, 8))


def test_upsample_gives_the_input_size():
    maps = torch.rand(2, 4, 4)
    out = upsample(maps, (64, 48))
    assert out.shape == (2, 64, 48)
    assert torch.isclose(out.mean(), maps.mean(), atol=0.05)


def test_probabilities_and_prediction():
    result = BranchAttribution('gradcam', np.zeros((1, 2, 2)),
                               np.zeros((1, 2, 2)),
                               np.array([[1000., 0., 999.]]), np.array([0]))
    probs = result.probabilities
    assert np.isfinite(probs).all()
    assert probs.sum() == pytest.approx(1)
    assert probs[0, 0] > probs[0, 2] > probs[0, 1]
    assert result.predicted.tolist() == [0]
