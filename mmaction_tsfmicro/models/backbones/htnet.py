"""HTNet: a hierarchical transformer over facial-region flow tiles."""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS


class ChannelLayerNorm(nn.Module):
    """Layer normalization over the channels of an (N, C, H, W) map, at
    every position: the biased variance, ``eps`` inside the square root,
    a per-channel scale and shift.

    Args:
        channels (int): ``C``.
        eps (float): Added to the variance. Defaults to 1e-5.
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        var = torch.var(x, dim=1, unbiased=False, keepdim=True)
        mean = torch.mean(x, dim=1, keepdim=True)
        return (x - mean) / (var + self.eps).sqrt() * self.weight + self.bias


class MapAttention(nn.Module):
    """Multi-head self-attention among the positions of a map, with 1 x 1
    convolutions as projections (no bias on ``qkv``); the channels of a
    projection are ``heads`` groups of ``channels // heads``."""

    def __init__(self, channels: int, heads: int,
                 dropout: float = 0.) -> None:
        super().__init__()
        self.heads = heads
        self.head_dims = channels // heads
        inner = self.head_dims * heads
        self.scale = self.head_dims**-0.5
        self.qkv = nn.Conv2d(channels, inner * 3, 1, bias=False)
        self.attn_drop = nn.Dropout(dropout)
        self.proj = nn.Conv2d(inner, channels, 1)
        self.proj_drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        n, _, h, w = x.shape

        def split(t: Tensor) -> Tensor:  # (N, heads, positions, dims)
            return t.reshape(n, self.heads, self.head_dims,
                             h * w).transpose(-1, -2)

        q, k, v = map(split, self.qkv(x).chunk(3, dim=1))
        attn = self.attn_drop((q @ k.transpose(-1, -2) * self.scale).softmax(
            dim=-1))
        out = (attn @ v).transpose(-1, -2).reshape(n, -1, h, w)
        return self.proj_drop(self.proj(out))


class MapFeedForward(nn.Module):
    """Two 1 x 1 convolutions with GELU between, ``ratio`` times wider."""

    def __init__(self, channels: int, ratio: int = 4,
                 dropout: float = 0.) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels * ratio, 1)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(dropout)
        self.fc2 = nn.Conv2d(channels * ratio, channels, 1)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))


class MapBlock(nn.Module):
    """Pre-norm attention and feed-forward, each with a residual."""

    def __init__(self, channels: int, heads: int, ratio: int,
                 dropout: float) -> None:
        super().__init__()
        self.norm1 = ChannelLayerNorm(channels)
        self.attn = MapAttention(channels, heads, dropout)
        self.norm2 = ChannelLayerNorm(channels)
        self.ffn = MapFeedForward(channels, ratio, dropout)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class LocalTransformer(nn.Module):
    """Blocks applied to each local block of a map alone, after a learned
    position bias (one scalar a position, the same for every channel)."""

    def __init__(self, channels: int, positions: int, depth: int,
                 heads: int, ratio: int, dropout: float) -> None:
        super().__init__()
        self.pos_embed = nn.Parameter(torch.randn(positions))
        self.blocks = nn.ModuleList(
            MapBlock(channels, heads, ratio, dropout) for _ in range(depth))

    def forward(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        x = x + self.pos_embed[:h * w].view(1, 1, h, w)
        for block in self.blocks:
            x = block(x)
        return x


def to_blocks(x: Tensor, blocks: int) -> Tensor:
    """(N, C, b*h, b*w) -> (N*b*b, C, h, w): each of the b x b local blocks
    a sample of its own, row by row."""
    n, c, hh, ww = x.shape
    x = x.reshape(n, c, blocks, hh // blocks, blocks, ww // blocks)
    return x.permute(0, 2, 4, 1, 3, 5).reshape(n * blocks * blocks, c,
                                               hh // blocks, ww // blocks)


def from_blocks(x: Tensor, blocks: int) -> Tensor:
    """The inverse of :func:`to_blocks`."""
    nb, c, h, w = x.shape
    n = nb // (blocks * blocks)
    x = x.reshape(n, blocks, blocks, c, h, w).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(n, c, blocks * h, blocks * w)


class Aggregate(nn.Module):
    """Between levels: a 3 x 3 convolution to the next width, channel
    layer norm, 3 x 3 max pooling of stride 2 (the map halves)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm = ChannelLayerNorm(out_channels)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(self.norm(self.conv(x)))


@MODELS.register_module()
class HTNet(BaseModule):
    """HTNet: a hierarchical transformer over the optical flow of facial
    regions.

    Follows Wang, Zhang, Luo and Sankaranarayana, "HTNet for
    micro-expression recognition", Neurocomputing 602 (2024), and its
    authors' code
    (``wangzhifengharrison/HTNet``, ``Model.py``), a NesT-style network:

    1. patches of ``patch_size`` x ``patch_size`` (their pixels stacked as
       channels, patch row first) projected by a 1 x 1 convolution to
       ``dim`` channels;
    2. ``num_hierarchies`` levels; at level ``l`` (from ``L - 1`` down to
       0) the map is cut into ``2**l`` x ``2**l`` local blocks, each goes
       alone through ``block_repeats[i]`` pre-norm transformer blocks
       (attention among its positions, 1 x 1 convolution projections,
       ``heads * 2**i`` heads, ``dim * 2**i`` channels) after a learned
       position bias; between levels a 3 x 3 convolution doubles the
       channels, a channel layer norm and a stride-2 max pooling halve the
       map.

    With the authors' setting (28 x 28 input, patch 7, 3 levels) the 4 x 4
    patch map is cut into 4 x 4 blocks of one patch at the first level and
    pooled to 2 x 2 and 1 x 1 after it: attention runs among a single
    position at every level, so each level acts as a stack of per-position
    feed-forward blocks (the authors' code does the same).

    The input is the authors' 28 x 28 x 3 facial-region tiles of the
    onset-to-apex flow (``u``, ``v``, optical strain), made by
    :class:`~mmaction_tsfmicro.datasets.transforms.FacialRegionTiles`
    (``Recognizer2D``, ``FormatShape('NCHW')``). The output is the last
    level's map, ``(N, dim * 2**(L-1), h, w)``; the classifier
    (:class:`~mmaction_tsfmicro.models.heads.HTNetHead`) normalizes,
    averages and classifies it.

    Args:
        image_size (int): Side of the square input. Defaults to 28.
        patch_size (int): Side of a patch. Defaults to 7.
        in_channels (int): Input channels. Defaults to 3.
        dim (int): Channels of the first level. Defaults to 256.
        heads (int): Heads of the first level. Defaults to 3.
        num_hierarchies (int): Levels. Defaults to 3.
        block_repeats (int | Sequence[int]): Transformer blocks of each
            level, first level first. Defaults to (2, 2, 10).
        mlp_ratio (int): Feed-forward width ratio. Defaults to 4.
        dropout (float): Dropout of attention and feed-forward. Defaults
            to 0.
        init_cfg (dict | list[dict], optional): Initialization config
            (PyTorch's defaults, a standard normal position bias, when
            None).
    """

    def __init__(self,
                 image_size: int = 28,
                 patch_size: int = 7,
                 in_channels: int = 3,
                 dim: int = 256,
                 heads: int = 3,
                 num_hierarchies: int = 3,
                 block_repeats: Union[int, Sequence[int]] = (2, 2, 10),
                 mlp_ratio: int = 4,
                 dropout: float = 0.,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if image_size % patch_size:
            raise ValueError(f'HTNet: image_size {image_size} is not a '
                             f'multiple of patch_size {patch_size}')
        fmap = image_size // patch_size
        blocks = 2**(num_hierarchies - 1)
        if fmap % blocks:
            raise ValueError(f'HTNet: the {fmap} x {fmap} patch map cannot '
                             f'be cut into {blocks} x {blocks} blocks '
                             f'({num_hierarchies} levels)')
        if isinstance(block_repeats, int):
            block_repeats = (block_repeats, ) * num_hierarchies
        if len(block_repeats) != num_hierarchies:
            raise ValueError(f'HTNet: block_repeats has {len(block_repeats)} '
                             f'entries for {num_hierarchies} levels')
        self.patch_size = patch_size
        self.image_size = image_size
        positions = (fmap // blocks)**2
        widths = [dim * 2**i for i in range(num_hierarchies)]
        self.out_channels = widths[-1]
        self.patch_embed = nn.Conv2d(in_channels * patch_size**2, widths[0],
                                     1)
        self.levels = nn.ModuleList()
        self.aggregates = nn.ModuleList()
        for i, (width, depth) in enumerate(zip(widths, block_repeats)):
            self.levels.append(
                LocalTransformer(width, positions, depth, heads * 2**i,
                                 mlp_ratio, dropout))
            self.aggregates.append(
                Aggregate(width, widths[i + 1]) if i + 1 < num_hierarchies
                else nn.Identity())
        self.block_sizes: List[int] = [
            2**level for level in reversed(range(num_hierarchies))
        ]

    def embed(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, dim, H/p, W/p): each patch's pixels stacked
        as channels (patch row, patch column, channel) and projected."""
        n, c, h, w = x.shape
        p = self.patch_size
        if (h, w) != (self.image_size, self.image_size):
            raise ValueError(f'HTNet takes {self.image_size} x '
                             f'{self.image_size} inputs, got {h} x {w}')
        x = x.reshape(n, c, h // p, p, w // p, p).permute(0, 3, 5, 1, 2, 4)
        return self.patch_embed(x.reshape(n, p * p * c, h // p, w // p))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) tiles -> the last level's (N, C', h, w) map."""
        x = self.embed(x)
        for blocks, level, aggregate in zip(self.block_sizes, self.levels,
                                            self.aggregates):
            x = from_blocks(level(to_blocks(x, blocks)), blocks)
            x = aggregate(x)
        return x
