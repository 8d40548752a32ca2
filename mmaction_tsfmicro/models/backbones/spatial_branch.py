"""Spatial ("where") branch of TSFmicro: a small ViT on the onset frame.

The onset frame is resized to the grid of the temporal branch's output
(14x14 for a 224x224 input), every pixel becomes a token through a 1x1
convolution, a learned position embedding is added (no class token) and a
few pre-norm transformer blocks and a final LayerNorm follow, so that the
output is a map of the same shape as the temporal branch's.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model.weight_init import trunc_normal_
from torch import Tensor


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention over tokens.

    Args:
        embed_dims (int): Channels ``C``.
        num_heads (int): Number of heads.
        qkv_bias (bool): Bias of the fused q/k/v projection.
    """

    def __init__(self, embed_dims: int, num_heads: int,
                 qkv_bias: bool = True) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.scale = (embed_dims // num_heads)**-0.5
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        """(N, L, C) -> (N, L, C)."""
        n, length, c = x.shape
        q, k, v = self.qkv(x).view(n, length, 3, self.num_heads,
                                   -1).permute(2, 0, 3, 1, 4)
        attn = torch.matmul(q * self.scale, k.transpose(-1, -2))
        out = torch.matmul(attn.softmax(dim=-1), v)
        return self.proj(out.transpose(1, 2).reshape(n, length, c))


class TransformerBlock(nn.Module):
    """Pre-norm transformer encoder block (attention, then MLP).

    Args:
        embed_dims (int): Channels.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP hidden channels / embed_dims.
        qkv_bias (bool): Bias of the q/k/v projection.
        drop_path (float): Stochastic depth rate.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_path: float = 0.) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.attn = SelfAttention(embed_dims, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.ffn = FFN(
            embed_dims=embed_dims,
            feedforward_channels=int(embed_dims * mlp_ratio),
            num_fcs=2,
            act_cfg=dict(type='GELU'),
            ffn_drop=0.,
            add_identity=False)
        self.drop_path = DropPath(drop_path) if drop_path > 0 \
            else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """(N, L, C) -> (N, L, C)."""
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.ffn(self.norm2(x)))


class SpatialTransformer(nn.Module):
    """ViT with 1x1 patches on an image resized to a small grid.

    Args:
        grid_size (tuple[int, int]): Token grid ``(h, w)`` the position
            embedding is made for (the temporal branch's output grid).
        in_channels (int): Image channels.
        embed_dims (int): Token channels.
        depth (int): Number of transformer blocks.
        num_heads (int): Attention heads.
        mlp_ratio (float): MLP ratio.
        qkv_bias (bool): Bias of the q/k/v projections.
        drop_path_rate (float): Stochastic depth of the last block
            (spread linearly from 0).
    """

    def __init__(self,
                 grid_size: Tuple[int, int],
                 in_channels: int = 3,
                 embed_dims: int = 512,
                 depth: int = 2,
                 num_heads: int = 4,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_path_rate: float = 0.) -> None:
        super().__init__()
        self.grid_size = tuple(grid_size)
        self.patch_embed = nn.Conv2d(in_channels, embed_dims, 1)
        self.pos_embed = nn.Parameter(
            torch.zeros(1, self.grid_size[0] * self.grid_size[1],
                        embed_dims))
        rates = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList([
            TransformerBlock(embed_dims, num_heads, mlp_ratio, qkv_bias, dp)
            for dp in rates
        ])
        self.norm = nn.LayerNorm(embed_dims, eps=1e-6)

    def init_weights(self) -> None:
        """Truncated-normal position embedding (std 0.02)."""
        trunc_normal_(self.pos_embed, std=.02)

    def _pos_embed(self, grid: Tuple[int, int]) -> Tensor:
        """Position embedding for ``grid``, bicubically resized if needed."""
        if tuple(grid) == self.grid_size:
            return self.pos_embed
        c = self.pos_embed.shape[-1]
        pos = self.pos_embed.transpose(1, 2).reshape(1, c, *self.grid_size)
        pos = F.interpolate(
            pos, size=grid, mode='bicubic', align_corners=False)
        return pos.flatten(2).transpose(1, 2)

    def forward(self,
                image: Tensor,
                grid: Optional[Tuple[int, int]] = None,
                extra_tokens: Optional[Tensor] = None) -> Tensor:
        """Encode an image into a ``(N, C, h, w)`` map.

        Args:
            image (Tensor): ``(N, 3, H, W)`` normalized image.
            grid (tuple[int, int], optional): Output grid; defaults to
                ``grid_size``. The image is resized to it (bilinear with
                antialiasing).
            extra_tokens (Tensor, optional): ``(N, h*w, C)`` tokens added
                after the blocks, before the final norm (the T-to-S fusion).

        Returns:
            Tensor: ``(N, C, h, w)``.
        """
        grid = tuple(grid) if grid is not None else self.grid_size
        if tuple(image.shape[-2:]) != grid:
            image = F.interpolate(
                image,
                size=grid,
                mode='bilinear',
                align_corners=False,
                antialias=True)
        x = self.patch_embed(image).flatten(2).transpose(1, 2)
        x = x + self._pos_embed(grid)
        for block in self.blocks:
            x = block(x)
        if extra_tokens is not None:
            x = x + extra_tokens
        x = self.norm(x)
        return x.transpose(1, 2).unflatten(2, grid)
