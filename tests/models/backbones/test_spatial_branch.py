"""Spatial ViT branch of TSFmicro."""
import torch
import torch.nn.functional as F

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.backbones.spatial_branch import (
    SelfAttention, SpatialTransformer)


def test_self_attention_matches_manual_softmax():
    torch.manual_seed(0)
    attn = SelfAttention(8, 2, qkv_bias=True)
    x = torch.randn(2, 5, 8)
    q, k, v = attn.qkv(x).view(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
    weights = (q @ k.transpose(-1, -2) / 2.).softmax(-1)  # sqrt(4) = 2
    ref = attn.proj((weights @ v).transpose(1, 2).reshape(2, 5, 8))
    assert torch.allclose(attn(x), ref, atol=1e-6)


def test_output_map_and_parameters():
    torch.manual_seed(0)
    branch = SpatialTransformer((4, 5), embed_dims=16, depth=2, num_heads=4,
                                mlp_ratio=2)
    branch.init_weights()
    assert branch.pos_embed.shape == (1, 20, 16)
    assert branch.pos_embed.std() > 0  # truncated normal, not zeros
    assert branch.patch_embed.kernel_size == (1, 1)
    assert len(branch.blocks) == 2
    assert branch.blocks[0].ffn.layers[0][0].out_features == 32
    out = branch(torch.randn(3, 3, 32, 40))
    assert out.shape == (3, 16, 4, 5)


def test_image_is_resized_with_antialiasing():
    torch.manual_seed(0)
    branch = SpatialTransformer((4, 4), embed_dims=8, depth=1, num_heads=2)
    image = torch.randn(1, 3, 64, 64)
    small = F.interpolate(image, size=(4, 4), mode='bilinear',
                          align_corners=False, antialias=True)
    assert torch.allclose(branch(image), branch(small), atol=1e-6)
    plain = F.interpolate(image, size=(4, 4), mode='bilinear',
                          align_corners=False)
    assert not torch.allclose(branch(image), branch(plain), atol=1e-3)


def test_other_grid_resizes_position_embedding():
    torch.manual_seed(0)
    branch = SpatialTransformer((4, 4), embed_dims=8, depth=1, num_heads=2)
    out = branch(torch.randn(2, 3, 24, 24), grid=(6, 6))
    assert out.shape == (2, 8, 6, 6)


def test_extra_tokens_join_before_the_final_norm():
    torch.manual_seed(0)
    branch = SpatialTransformer((2, 2), embed_dims=8, depth=1, num_heads=2)
    image = torch.randn(1, 3, 2, 2)
    extra = torch.randn(1, 4, 8)
    out = branch(image, extra_tokens=extra)
    # undo the final LayerNorm input by recomputing the tokens
    x = branch.patch_embed(image).flatten(2).transpose(1, 2)
    x = branch.blocks[0](x + branch.pos_embed) + extra
    ref = branch.norm(x).transpose(1, 2).reshape(1, 8, 2, 2)
    assert torch.allclose(out, ref, atol=1e-6)
