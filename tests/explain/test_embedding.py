import numpy as np
import pytest
import torch

from mmaction_tsfmicro.explain.embedding import fused_features, tsne


@pytest.fixture(scope='module')
def features(trained):
    return fused_features(trained['model'], trained['dataset'], batch_size=4)


def test_every_sample_is_embedded_once_in_order(trained, features):
    dataset = trained['dataset']
    names = [f"{dataset.get_data_info(i)['subject']}/"
             f"{dataset.get_data_info(i)['clip']}"
             for i in range(len(dataset))]
    assert features.samples == names
    assert len(set(features.samples)) == len(dataset) == 15
    assert features.features.shape == (15, 64)
    assert features.features.dtype == np.float32
    assert features.subjects == [n.split('/')[0] for n in names]
    assert features.labels.tolist() == [
        dataset.get_data_info(i)['label'] for i in range(len(dataset))
    ]


def test_features_are_the_pooled_neck_output(trained, features):
    model, inputs = trained['model'], trained['inputs']
    with torch.no_grad():
        fused, _ = model.extract_feat(inputs[5:6], stage='neck')
        scores = model(inputs, trained['data_samples'], mode='predict')
    assert fused.shape == (1, 64, 1, 4, 4)
    np.testing.assert_allclose(features.features[5],
                               fused.mean(dim=(2, 3, 4))[0].numpy(),
                               rtol=1e-5, atol=1e-6)
    assert features.predicted.tolist() == [
        int(s.pred_score.argmax()) for s in scores
    ]


def test_tsne_is_deterministic_for_a_seed(features):
    a = tsne(features.features, seed=3)
    b = tsne(features.features, seed=3)
    assert a.shape == (15, 2)
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)


def test_tsne_works_on_few_samples_and_many_dimensions():
    rng = np.random.default_rng(0)
    assert tsne(rng.normal(size=(4, 8))).shape == (4, 2)
    # past pca_dims dimensions a PCA step comes first
    assert tsne(rng.normal(size=(60, 80)), pca_dims=10).shape == (60, 2)
    # a constant dimension does not divide by zero
    x = rng.normal(size=(6, 3))
    x[:, 1] = 5.
    assert np.isfinite(tsne(x)).all()


@pytest.mark.parametrize('x, message', [
    (np.zeros((1, 4)), r'N >= 2'),
    (np.array([[0., np.nan], [1., 1.]]), 'NaN'),
])
def test_tsne_refuses_bad_features(x, message):
    with pytest.raises(ValueError, match=message):
        tsne(x)


def test_a_model_without_a_neck_is_refused(trained):
    class NoNeck(torch.nn.Module):
        with_neck = False

    with pytest.raises(ValueError, match='no neck'):
        fused_features(NoNeck(), trained['dataset'])
