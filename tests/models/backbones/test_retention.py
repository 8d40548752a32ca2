"""Retention blocks: decay masks, rotary shift, Manhattan self-attention."""
import math

import pytest
import torch

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.backbones.retention import (
    ManhattanSelfAttention, RetentionBlock, RetentionRelPos, RetentionStage,
    apply_rotary, conv_stem, head_log_decays, linear_log_decay,
    manhattan_log_decay)


def test_head_log_decays_follow_the_formula():
    # gamma_i = 1 - 2^(-init - range * i / heads)
    decays = head_log_decays(4, decay_init=2, decay_range=6)
    expected = [1 - 2**-2, 1 - 2**-3.5, 1 - 2**-5, 1 - 2**-6.5]
    assert torch.allclose(decays.exp(), torch.tensor(expected))
    assert (decays < 0).all()


def test_manhattan_decay_equals_gamma_power_distance():
    gammas = torch.tensor([0.5, 0.9])
    mask = manhattan_log_decay(2, 3, gammas.log())
    assert mask.shape == (2, 6, 6)
    # token n is pixel (n // 3, n % 3); check every pair explicitly
    for head, gamma in enumerate(gammas.tolist()):
        for n in range(6):
            for m in range(6):
                dy = abs(n // 3 - m // 3)
                dx = abs(n % 3 - m % 3)
                assert math.isclose(
                    mask[head, n, m].exp().item(), gamma**(dx + dy),
                    rel_tol=1e-6)
    # e.g. the corners (0, 0) and (1, 2) are 3 steps apart
    assert math.isclose(mask[0, 0, 5].exp().item(), 0.125, rel_tol=1e-6)


def test_linear_decay_values():
    mask = linear_log_decay(4, torch.tensor([0.5]).log())
    expected = torch.tensor([[1, .5, .25, .125], [.5, 1, .5, .25],
                             [.25, .5, 1, .5], [.125, .25, .5, 1]])
    assert torch.allclose(mask[0].exp(), expected)


def test_relpos_rotary_uses_raster_index():
    rel = RetentionRelPos(head_dim=4, num_heads=2, decay_init=2,
                          decay_range=4)
    # angles 1/10000^linspace(0, 1, 2) = (1, 1e-4), each used for a pair
    assert torch.allclose(rel.angle, torch.tensor([1., 1., 1e-4, 1e-4]))
    (sin, cos), masks = rel(2, 3, decomposed=True)
    assert sin.shape == cos.shape == (2, 3, 4)
    # pixel (1, 2) has raster index 5
    assert torch.allclose(sin[1, 2], torch.sin(5 * rel.angle))
    assert [m.shape for m in masks] == [(2, 2, 2), (2, 3, 3)]
    _, full = rel(2, 3, decomposed=False)
    assert full[0].shape == (2, 6, 6)
    # buffers are derived from the config, not stored in checkpoints
    assert list(rel.state_dict()) == []


def test_apply_rotary_rotates_channel_pairs():
    x = torch.tensor([[[[1., 2., 3., 4.]]]])  # (1, H=1, W=1, d=4)
    theta = torch.tensor([0.3, 0.3, 1.1, 1.1]).view(1, 1, 4)
    out = apply_rotary(x, (theta.sin(), theta.cos()))
    c0, s0, c1, s1 = math.cos(.3), math.sin(.3), math.cos(1.1), math.sin(1.1)
    expected = [1 * c0 - 2 * s0, 2 * c0 + 1 * s0, 3 * c1 - 4 * s1,
                4 * c1 + 3 * s1]
    assert torch.allclose(out.flatten(), torch.tensor(expected))
    # a rotation keeps the norm of every pair
    assert torch.allclose(out.norm(), x.norm())


def naive_softmax_attention(q, k, v, log_mask):
    """Token by token: out_n = sum_m softmax_m(q_n . k_m + mask_nm) v_m."""
    out = torch.zeros_like(v)
    for n in range(q.shape[0]):
        weights = torch.stack([
            q[n] @ k[m] + log_mask[n, m] for m in range(k.shape[0])
        ]).softmax(0)
        out[n] = sum(weights[m] * v[m] for m in range(k.shape[0]))
    return out


def reference_attention(attn, x, rotary, log_gammas, decomposed):
    """Naive decayed attention of one ManhattanSelfAttention module."""
    n, h, w, c = x.shape
    heads, d = attn.num_heads, attn.head_dim
    sin, cos = rotary
    q = attn.q_proj(x).view(n, h, w, heads, d)
    k = attn.k_proj(x).view(n, h, w, heads, d) * d**-0.5
    v = attn.v_proj(x)
    lepe = attn.lepe(v)
    v = v.view(n, h, w, heads, d)

    def rot(t):  # t: (h, w, d)
        pairs = t.view(h, w, d // 2, 2)
        swapped = torch.stack((-pairs[..., 1], pairs[..., 0]), -1).view(
            h, w, d)
        return t * cos + swapped * sin

    out = torch.zeros_like(v)
    for b in range(n):
        for head in range(heads):
            qh, kh = rot(q[b, :, :, head]), rot(k[b, :, :, head])
            vh = v[b, :, :, head]
            log_gamma = log_gammas[head]
            if decomposed:
                mid = torch.zeros_like(vh)
                for row in range(h):
                    mask = torch.tensor([[abs(i - j) * log_gamma
                                          for j in range(w)]
                                         for i in range(w)])
                    mid[row] = naive_softmax_attention(
                        qh[row], kh[row], vh[row], mask)
                for col in range(w):
                    mask = torch.tensor([[abs(i - j) * log_gamma
                                          for j in range(h)]
                                         for i in range(h)])
                    out[b, :, col, head] = naive_softmax_attention(
                        qh[:, col], kh[:, col], mid[:, col], mask)
            else:
                coords = [(i, j) for i in range(h) for j in range(w)]
                mask = torch.tensor([[(abs(a[0] - b_[0]) + abs(a[1] - b_[1]))
                                      * log_gamma for b_ in coords]
                                     for a in coords])
                out[b, :, :, head] = naive_softmax_attention(
                    qh.reshape(h * w, d), kh.reshape(h * w, d),
                    vh.reshape(h * w, d), mask).view(h, w, d)
    return attn.out_proj(out.reshape(n, h, w, c) + lepe)


@pytest.mark.parametrize('decomposed', [True, False])
def test_attention_matches_naive_definition(decomposed):
    torch.manual_seed(0)
    heads, dim, h, w = 2, 8, 3, 4
    attn = ManhattanSelfAttention(dim, heads, decomposed=decomposed)
    rel = RetentionRelPos(dim // heads, heads, decay_init=1, decay_range=3)
    x = torch.randn(2, h, w, dim)
    rotary, masks = rel(h, w, decomposed)
    with torch.no_grad():
        ours = attn(x, rotary, masks)
        ref = reference_attention(attn, x, rotary, rel.log_decay.tolist(),
                                  decomposed)
    assert ours.shape == (2, h, w, dim)
    assert torch.allclose(ours, ref, atol=1e-5)


def test_decomposed_and_full_forms_differ():
    torch.manual_seed(0)
    attn = ManhattanSelfAttention(8, 2, decomposed=True)
    rel = RetentionRelPos(4, 2, 2, 4)
    x = torch.randn(1, 3, 3, 8)
    rotary, masks = rel(3, 3, True)
    out_dec = attn(x, rotary, masks)
    attn.decomposed = False
    out_full = attn(x, *rel(3, 3, False))
    assert not torch.allclose(out_dec, out_full, atol=1e-4)


def test_block_and_stage_shapes_and_downsample():
    torch.manual_seed(0)
    block = RetentionBlock(8, 2, decomposed=True, mlp_ratio=3)
    assert block.ffn.fc1.out_features == 24
    stage = RetentionStage(8, depth=2, num_heads=2, decay_init=2,
                           decay_range=4, decomposed=False,
                           drop_paths=[0., .1], out_dims=16)
    x = torch.randn(2, 7, 6, 8)
    assert stage(x).shape == (2, 4, 3, 16)
    last = RetentionStage(8, 1, 2, 2, 4, decomposed=True)
    assert last(x).shape == x.shape
    with pytest.raises(ValueError, match='2 drop-path rates given for 1'):
        RetentionStage(8, 1, 2, 2, 4, True, drop_paths=[0., .1])


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match='not divisible by num_heads'):
        ManhattanSelfAttention(10, 4, decomposed=True)
    with pytest.raises(ValueError, match='head_dim must be even'):
        RetentionRelPos(3, 2, 2, 4)
    with pytest.raises(ValueError, match='2 channel counts for 1 strides'):
        conv_stem(3, [8, 16], [2])


def test_conv_stem_layout():
    stem = conv_stem(3, [32, 32, 64, 64], [2, 1, 1, 1])
    out = stem(torch.randn(1, 3, 32, 32))
    assert out.shape == (1, 64, 16, 16)
    # GELU after every conv but the last (the official stem)
    assert [hasattr(m, 'activate') for m in stem] == [True, True, True, False]
    assert all(m.conv.bias is not None for m in stem)
    assert all(isinstance(m.bn, torch.nn.BatchNorm2d) for m in stem)


@pytest.mark.parametrize('decomposed', [True, False])
def test_stages_stacked_under_torch_func_equal_each_apart(decomposed):
    """Two stages with every parameter and buffer stacked (the rotary
    angles and decays too) and run under ``vmap``: each output is its
    stage's own, and the tables made under the transform are not kept
    (a later plain call would fail on a tensor that escaped it)."""
    from torch.func import functional_call, stack_module_state, vmap
    torch.manual_seed(0)
    stages = [RetentionStage(8, 1, 2, 2, 4, decomposed=decomposed).eval()
              for _ in range(2)]
    params, buffers = stack_module_state(stages)
    x = torch.randn(2, 3, 5, 4, 8)
    out = vmap(lambda p, b, xi: functional_call(stages[0], (p, b), (xi, )))(
        params, buffers, x)
    for k, stage in enumerate(stages):
        assert torch.allclose(out[k], stage(x[k]), atol=1e-6)
    # nothing made under the transform was kept: the plain calls above
    # made the only tables
    assert len(stages[0].rel_pos._tables) == 1
    sin, cos = next(iter(stages[0].rel_pos._tables.values()))[0]
    assert not torch._C._functorch.is_functorch_wrapped_tensor(sin)
