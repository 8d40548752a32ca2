import copy

import numpy as np
import pytest
import torch

from mmaction_tsfmicro.explain.gradcam import (BackboneMaps, branch_grad_cam,
                                               grad_cam)
from mmaction_tsfmicro.explain.inputs import (build_test_dataset, load_model,
                                              preprocess)
from .conftest import SIZE


def test_grad_cam_weighs_channels_by_their_mean_gradient():
    activation = torch.zeros(1, 2, 2, 2)
    activation[0, 0] = torch.tensor([[1., 0.], [0., 0.]])
    activation[0, 1] = torch.tensor([[0., 0.], [0., 3.]])
    gradient = torch.zeros(1, 2, 2, 2)
    gradient[0, 0] = 2.  # mean 2
    gradient[0, 1] = -1.  # mean -1
    cam = grad_cam(activation, gradient)
    # 2 * A0 - A1, negative part dropped
    assert cam.tolist() == [[[2., 0.], [0., 0.]]]


def test_maps_are_input_sized_finite_and_not_constant(trained):
    model, inputs = trained['model'], trained['inputs']
    result = branch_grad_cam(model, inputs)
    n = inputs.shape[0]
    for maps in (result.temporal, result.spatial):
        assert maps.shape == (n, SIZE, SIZE)
        assert maps.dtype == np.float32
        assert np.isfinite(maps).all()
        assert (maps >= 0).all()
    # every clip moves: every temporal map varies over the face
    assert (result.temporal.reshape(n, -1).std(axis=1) > 0).all()
    assert result.spatial.std() > 0
    assert result.target.tolist() == result.predicted.tolist()


def test_scores_are_those_of_testing(trained):
    """The logits the maps explain are the model's test-mode scores."""
    model = trained['model']
    result = branch_grad_cam(model, trained['inputs'])
    with torch.no_grad():
        samples = model(trained['inputs'], trained['data_samples'],
                        mode='predict')
    scores = np.stack([s.pred_score.cpu().numpy() for s in samples])
    np.testing.assert_allclose(result.probabilities, scores, atol=1e-5)


def test_samples_of_a_batch_are_explained_independently(trained):
    model, inputs = trained['model'], trained['inputs']
    batch = branch_grad_cam(model, inputs[:4], target=2)
    one = branch_grad_cam(model, inputs[1:2], target=2)
    np.testing.assert_allclose(batch.temporal[1], one.temporal[0],
                               rtol=1e-4, atol=1e-6)
    assert batch.target.tolist() == [2, 2, 2, 2]


def test_the_model_is_left_as_it_was(trained):
    model = trained['model']
    before = {k: v.clone() for k, v in model.state_dict().items()}
    branch_grad_cam(model, trained['inputs'][:2])
    assert not model.backbone._forward_hooks
    assert all(p.grad is None for p in model.parameters())
    assert not model.training
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_frozen_weights_still_get_maps(trained):
    model = trained['model']
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        result = branch_grad_cam(model, trained['inputs'][:1])
    finally:
        for p in model.parameters():
            p.requires_grad_(True)
    assert np.isfinite(result.temporal).all()
    assert result.temporal.std() > 0


def test_a_backbone_with_one_map_is_refused(blob_data):
    cfg = copy.deepcopy(blob_data['moving']['cfg'])
    cfg.model.backbone.fusion = 'early'
    model = load_model(cfg, None, 'cpu')
    dataset = build_test_dataset(cfg, ['sub01'])
    inputs = preprocess(model, [dataset[0]])['inputs']
    with pytest.raises(ValueError, match="fusion='late'.*'early'"):
        branch_grad_cam(model, inputs)
    assert not model.backbone._forward_hooks


def test_backbone_maps_keep_both_branches(trained):
    model, inputs = trained['model'], trained['inputs'][:2]
    with torch.no_grad(), BackboneMaps(model.backbone) as hooked:
        model.extract_feat(inputs, stage='head')
    assert [m.shape for m in hooked.maps] == [(2, 64, 4, 4)] * 2
