"""TSFmicro backbone: presets, fusion modes, gradients, determinism."""
import pytest
import torch
from mmaction.registry import MODELS

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models import TSFmicro

#: A very small variant for fast tests (input 64x64 -> 4x4 output grid).
MINI = dict(
    arch='tiny', input_size=64, stem_channels=[4, 8], embed_dims=[8, 16, 16],
    spatial_num_heads=2)


def mini(**kwargs):
    return TSFmicro(**{**MINI, **kwargs})


def test_registered():
    assert MODELS.get('TSFmicro') is TSFmicro


def test_paper_preset_matches_the_official_model():
    model = TSFmicro(arch='paper')
    cfg = model.arch_settings
    assert cfg['embed_dims'] == [64, 128, 256, 512]
    assert cfg['depths'] == [1, 1, 2, 1]
    assert cfg['num_heads'] == [2, 2, 2, 2]
    assert cfg['decay_range'] == [4, 4, 6, 6]
    assert [s.decomposed for s in model.stages] == [True, True, False, False]
    assert [m.conv.out_channels for m in model.stem] == [32, 32, 64, 64]
    assert [m.conv.stride[0] for m in model.stem] == [2, 1, 1, 1]
    assert model.output_grid((224, 224)) == (14, 14)
    assert model.spatial.pos_embed.shape == (1, 196, 512)
    assert len(model.spatial.blocks) == 2
    assert model.spatial.blocks[0].attn.num_heads == 4
    assert model.spatial.blocks[0].attn.qkv.bias is not None
    # drop path spread linearly over the 5 blocks: 0 .. 0.1
    rates = [
        getattr(b.drop_path, 'drop_prob', 0.) for s in model.stages
        for b in s.blocks
    ]
    assert rates == pytest.approx([0, .025, .05, .075, .1])
    # gamma of the two heads of stage 3: 1 - 2^-2, 1 - 2^-5
    assert model.stages[2].rel_pos.log_decay.exp().tolist() == pytest.approx(
        [0.75, 1 - 2**-5])
    assert model.out_channels == 512


@pytest.mark.parametrize('arch, grid, params', [('paper', 14, 12_256_928),
                                                ('small', 14, 3_118_160),
                                                ('tiny', 7, 124_256)])
def test_presets(arch, grid, params):
    model = TSFmicro(arch=arch)
    size = model.arch_settings['input_size']
    assert model.output_grid((size, size)) == (grid, grid)
    assert model.spatial.grid_size == (grid, grid)
    assert sum(p.numel() for p in model.parameters()) == params


def test_overrides_and_dict_arch():
    model = TSFmicro(arch='tiny', embed_dims=[8, 16, 32],
                     stem_channels=[4, 8], input_size=64)
    assert model.out_channels == 32
    assert model.output_grid((64, 64)) == (4, 4)
    as_dict = TSFmicro(arch=dict(TSFmicro.arch_zoo['tiny'], depths=[1, 2, 1]))
    assert len(as_dict.stages[1].blocks) == 2


@pytest.mark.parametrize('kwargs, message', [
    (dict(arch='huge'), "unknown arch 'huge'"),
    (dict(arch=dict(depths=[1])), 'arch dict lacks keys'),
    (dict(arch='tiny', depths=[1, 1]), 'depths has 2 entries for 3 stages'),
    (dict(arch='tiny', stem_channels=[8, 32]),
     r'stem_channels\[-1\] \(32\) must equal embed_dims\[0\] \(16\)'),
    (dict(arch='tiny', fusion='middle'), 'fusion must be one of'),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TSFmicro(**kwargs)


def test_input_must_be_a_frame_pair():
    with pytest.raises(ValueError, match=r'got shape \(1, 3, 3, 64, 64\)'):
        mini()(torch.randn(1, 3, 3, 64, 64))


@pytest.mark.parametrize('fusion, outputs', [('late', 2), ('early', 1),
                                             ('s2t', 1), ('t2s', 1)])
def test_fusion_output_shapes(fusion, outputs):
    torch.manual_seed(0)
    model = mini(fusion=fusion)
    out = model(torch.randn(2, 3, 2, 64, 64))
    if outputs == 1:  # one map: a tensor, as MMAction2's backbones give
        assert isinstance(out, torch.Tensor) and out.shape == (2, 16, 4, 4)
    else:
        assert isinstance(out, tuple) and len(out) == outputs
        for x in out:
            assert x.shape == (2, 16, 4, 4)
    assert hasattr(model, 'spatial') == (fusion != 'early')
    assert hasattr(model, 'onset_stem') == (fusion == 'early')
    assert hasattr(model, 's2t_upsample') == (fusion == 's2t')


def test_other_input_size_than_the_preset():
    torch.manual_seed(0)
    out = mini(fusion='s2t')(torch.randn(1, 3, 2, 80, 96))
    assert out.shape == (1, 16, 5, 6)
    temporal, spatial = mini()(torch.randn(1, 3, 2, 80, 96))
    assert temporal.shape == spatial.shape == (1, 16, 5, 6)


@pytest.mark.parametrize('fusion', ['late', 'early', 's2t', 't2s'])
def test_gradients_reach_both_branches(fusion):
    torch.manual_seed(0)
    model = mini(fusion=fusion)
    out = model(torch.randn(2, 3, 2, 64, 64))
    maps = (out, ) if isinstance(out, torch.Tensor) else out
    sum(x.square().mean() for x in maps).backward()
    temporal = model.stem[0].conv.weight.grad
    assert temporal is not None and temporal.abs().sum() > 0
    if fusion == 'early':
        onset = model.onset_stem[0].conv.weight.grad
    else:
        onset = model.spatial.patch_embed.weight.grad
        assert model.spatial.pos_embed.grad.abs().sum() > 0
    assert onset is not None and onset.abs().sum() > 0
    if fusion == 's2t':
        assert model.s2t_upsample[0].weight.grad.abs().sum() > 0


def test_branches_see_the_right_frames():
    """Temporal map depends on apex - onset only; spatial on the onset."""
    torch.manual_seed(0)
    model = mini().eval()
    pair = torch.randn(1, 3, 2, 64, 64)
    shifted = pair + torch.randn(1, 3, 1, 64, 64)  # same offset on both
    with torch.no_grad():
        t1, s1 = model(pair)
        t2, s2 = model(shifted)
        apex_changed = pair.clone()
        apex_changed[:, :, 1] += 1.
        t3, s3 = model(apex_changed)
    assert torch.allclose(t1, t2, atol=1e-5)  # same difference image
    assert not torch.allclose(s1, s2, atol=1e-3)  # other onset
    assert torch.allclose(s1, s3)  # same onset
    assert not torch.allclose(t1, t3, atol=1e-3)  # other difference


def test_determinism_with_a_fixed_seed():
    x = torch.randn(2, 3, 2, 64, 64)
    outs = []
    for _ in range(2):
        torch.manual_seed(7)
        model = mini(drop_path_rate=0.5)
        model.init_weights()
        model.train()
        torch.manual_seed(11)  # drop path draws
        outs.append(model(x))
    for a, b in zip(*outs):
        assert torch.equal(a, b)


def test_init_weights_follow_the_official_scheme():
    torch.manual_seed(0)
    model = mini()
    model.init_weights()
    q = model.stages[0].blocks[0].attn.q_proj
    assert q.weight.std().item() == pytest.approx(0.02, rel=0.3)
    assert q.bias.abs().sum() == 0
    norm = model.stages[0].blocks[0].norm1
    assert torch.equal(norm.weight, torch.ones_like(norm.weight))


def test_runs_under_autocast():
    torch.manual_seed(0)
    model = mini(fusion='late').eval()
    x = torch.randn(2, 3, 2, 64, 64)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        temporal, spatial = model(x)
    assert temporal.dtype == torch.bfloat16  # spatial ends in a fp32 norm
    reference = model(x)
    for low, ref in zip((temporal, spatial), reference):
        assert torch.isfinite(low.float()).all()
        assert (low.float() - ref).abs().max() < 0.1 * ref.abs().max()


def test_output_is_a_tuple_that_refuses_tensor_use_in_one_line():
    """The neck reads the output as a tuple; a head that takes it for a
    tensor gets one line that names the neck and its in_channels."""
    import copy
    import pickle

    import torch.nn.functional as F

    from mmaction_tsfmicro.models import TimeSpaceFusion
    from mmaction_tsfmicro.models.backbones.tsfmicro import BranchMaps
    torch.manual_seed(0)
    with torch.no_grad():
        out = mini().eval()(torch.randn(2, 3, 2, 64, 64))
    assert type(out) is BranchMaps and len(out) == 2
    temporal, spatial = out
    assert out == (temporal, spatial) and out[1] is spatial
    fused, _ = TimeSpaceFusion(in_channels=16)(out)
    assert torch.equal(fused, (temporal + spatial).unsqueeze(2))
    assert not hasattr(out, '_fields')  # not taken for a namedtuple
    assert type(copy.deepcopy(out)) is BranchMaps
    assert type(pickle.loads(pickle.dumps(out))) is BranchMaps

    message = ("TSFmicro returns the (temporal, spatial) maps for the "
               "TimeSpaceFusion neck; MMAction2's heads need one tensor: add "
               "neck=dict(type='TimeSpaceFusion', in_channels=16) to the "
               'model (its (N, C, 1, h, w) output suits the 3-D heads too)')
    for use in (lambda: out.size(), lambda: out.shape, lambda: out.view(2)):
        with pytest.raises(AttributeError) as info:
            use()
        assert str(info.value) == message
    for use in (lambda: F.linear(out, torch.zeros(5, 16)),
                lambda: torch.nn.AdaptiveAvgPool3d(1)(out),
                lambda: torch.flatten(out, 1)):
        with pytest.raises(TypeError) as info:
            use()
        assert str(info.value) == message
    # one map is a tensor: MMAction2's heads and necks take it as it is
    single = mini(fusion='t2s')(torch.randn(1, 3, 2, 64, 64))
    assert type(single) is torch.Tensor and single.dim() == 4
    fused, _ = TimeSpaceFusion(in_channels=16)(single)
    assert torch.equal(fused, single.unsqueeze(2))
