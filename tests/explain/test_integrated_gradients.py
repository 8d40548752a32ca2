import numpy as np
import pytest
import torch

from mmaction_tsfmicro.explain.inputs import build_test_dataset, preprocess
from mmaction_tsfmicro.explain.integrated_gradients import (
    ScaledInput, branch_integrated_gradients, branch_module)
from .conftest import SIZE, blob_centres

#: The blobs' standard deviation in make_synthetic_dataset (size / 10).
SIGMA = SIZE / 10


def labels_of(dataset):
    return np.array(
        [dataset.get_data_info(i)['label'] for i in range(len(dataset))])


@pytest.fixture(scope='module')
def moving_and_still(trained, blob_data):
    """Integrated gradients of the true class for every clip with its
    moving blob, and for the same clips without it."""
    model, dataset = trained['model'], trained['dataset']
    labels = labels_of(dataset)
    still = build_test_dataset(blob_data['still']['cfg'], None)
    assert labels_of(still).tolist() == labels.tolist()
    still_inputs = preprocess(model, [still[i] for i in range(len(still))])
    moving = branch_integrated_gradients(model, trained['inputs'], labels)
    without = branch_integrated_gradients(model, still_inputs['inputs'],
                                          labels)
    return labels, moving, without


def test_maps_are_input_sized_finite_and_not_constant(moving_and_still):
    labels, moving, _ = moving_and_still
    for maps in (moving.temporal, moving.spatial):
        assert maps.shape == (len(labels), SIZE, SIZE)
        assert np.isfinite(maps).all()
        assert (maps.reshape(len(labels), -1).std(axis=1) > 0).all()
    assert moving.method == 'integrated_gradients'
    assert moving.target.tolist() == labels.tolist()


def test_credits_add_up_to_the_score_gained_over_the_reference(
        moving_and_still):
    _, moving, _ = moving_and_still
    sums = np.stack([moving.temporal.sum(axis=(1, 2)),
                     moving.spatial.sum(axis=(1, 2))], axis=1)
    np.testing.assert_allclose(sums, moving.gains, rtol=0.05, atol=0.05)


def test_the_temporal_peak_lies_on_the_moving_blob(moving_and_still):
    """Each clip's class is where its blob is: the credit of its motion
    must peak there, nearer its own blob than any other class's."""
    labels, moving, without = moving_and_still
    centres = blob_centres()
    for i, label in enumerate(labels):
        y, x = np.unravel_index(moving.temporal[i].argmax(), (SIZE, SIZE))
        distances = np.hypot(centres[:, 0] - x, centres[:, 1] - y)
        assert distances.argmin() == label, (i, label, (x, y))
        assert distances[label] <= 1.5 * SIGMA, (i, label, (x, y))


def test_without_the_blob_the_credit_is_weak_and_spread(moving_and_still):
    labels, moving, without = moving_and_still
    centres = blob_centres()
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    for i, label in enumerate(labels):
        disc = np.hypot(xx - centres[label, 0],
                        yy - centres[label, 1]) <= 2 * SIGMA
        assert without.temporal[i].max() < 0.75 * moving.temporal[i].max()

        def share(m):
            positive = np.maximum(m, 0)
            return positive[disc].sum() / positive.sum()

        assert share(moving.temporal[i]) > 0.5
        assert share(without.temporal[i]) < share(moving.temporal[i]) / 2


def test_a_clip_without_any_change_gets_no_temporal_credit(trained):
    model = trained['model']
    inputs = trained['inputs'][:3].clone()
    inputs[:, :, :, 1] = inputs[:, :, :, 0]  # apex := onset
    result = branch_integrated_gradients(model, inputs, steps=4)
    assert not result.temporal.any()
    np.testing.assert_allclose(result.gains[:, 0], 0, atol=1e-5)
    assert result.spatial.std() > 0


def test_the_hooks_are_removed_and_the_model_is_unchanged(trained):
    model = trained['model']
    branch_integrated_gradients(model, trained['inputs'][:1], steps=2)
    assert not model.backbone.stem._forward_pre_hooks
    assert not model.backbone.spatial._forward_pre_hooks
    assert all(p.grad is None for p in model.parameters())


def test_scaled_input_scales_the_first_argument():
    module = torch.nn.Identity()
    with ScaledInput(module) as hooked:
        hooked.t = 0.25
        out = module(torch.ones(2, 3))
    assert torch.equal(out, torch.full((2, 3), 0.25))
    assert hooked.scaled.requires_grad
    assert torch.equal(hooked.original, torch.ones(2, 3))
    assert not module._forward_pre_hooks


def test_a_backbone_without_a_branch_module_is_refused(trained):
    with pytest.raises(ValueError, match="no 'spatial' module"):
        branch_module(torch.nn.Module(), 'spatial')
    with pytest.raises(ValueError, match='steps must be >= 1'):
        branch_integrated_gradients(trained['model'], trained['inputs'][:1],
                                    steps=0)
