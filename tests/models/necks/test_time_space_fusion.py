"""TimeSpaceFusion neck."""
import pytest
import torch
from mmaction.registry import MODELS

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models import TimeSpaceFusion


def maps(seed=0):
    torch.manual_seed(seed)
    return torch.randn(2, 8, 3, 4), torch.randn(2, 8, 3, 4)


def test_registered():
    assert MODELS.get('TimeSpaceFusion') is TimeSpaceFusion


def test_sum_is_the_default_and_adds_a_time_axis():
    temporal, spatial = maps()
    neck = TimeSpaceFusion(in_channels=8)
    out, aux = neck((temporal, spatial))
    assert neck.mode == 'sum'
    assert aux == {}
    assert out.shape == (2, 8, 1, 3, 4)
    assert torch.equal(out[:, :, 0], temporal + spatial)
    assert list(neck.parameters()) == []


def test_concat_projects_back_to_the_channels():
    temporal, spatial = maps()
    neck = TimeSpaceFusion(in_channels=8, mode='concat')
    out, _ = neck((temporal, spatial))
    assert out.shape == (2, 8, 1, 3, 4)
    ref = neck.proj(torch.cat((temporal, spatial), 1))
    assert torch.allclose(out[:, :, 0], ref)
    assert neck.proj.in_channels == 16 and neck.proj.out_channels == 8


def test_gated_mixes_the_maps_elementwise():
    temporal, spatial = maps()
    neck = TimeSpaceFusion(in_channels=8, mode='gated')
    out, _ = neck((temporal, spatial))
    out = out[:, :, 0]
    gate = torch.sigmoid(neck.proj(torch.cat((temporal, spatial), 1)))
    assert torch.allclose(out, gate * temporal + (1 - gate) * spatial)
    # a convex mix: between the two maps everywhere
    low = torch.minimum(temporal, spatial) - 1e-6
    high = torch.maximum(temporal, spatial) + 1e-6
    assert ((out >= low) & (out <= high)).all()
    out.sum().backward()
    assert neck.proj.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('mode', ['sum', 'concat', 'gated'])
def test_single_map_passes_through(mode):
    temporal, _ = maps()
    neck = TimeSpaceFusion(in_channels=8, mode=mode)
    out, _ = neck((temporal, ))
    assert torch.equal(out, temporal.unsqueeze(2))
    out, _ = neck(temporal, data_samples=None)
    assert torch.equal(out, temporal.unsqueeze(2))


def test_bad_input():
    temporal, spatial = maps()
    with pytest.raises(ValueError, match="mode must be one of"):
        TimeSpaceFusion(mode='max')
    neck = TimeSpaceFusion(in_channels=8)
    with pytest.raises(ValueError, match='differ in shape'):
        neck((temporal, spatial[:, :, :2]))
    with pytest.raises(ValueError, match='one or two maps, got 3'):
        neck((temporal, spatial, spatial))
    with pytest.raises(ValueError, match=r'expects \(N, C, h, w\) maps'):
        neck((temporal.unsqueeze(2), ))
