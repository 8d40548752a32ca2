"""Retention blocks of the temporal branch (an RMT-style vision RetNet).

The temporal branch of TSFmicro is a small RMT (Fan et al., "RMT: Retentive
Networks Meet Vision Transformers", CVPR 2024). Each block mixes tokens with
*Manhattan self-attention*: ordinary softmax attention whose logits receive
an additive log-decay mask, so that a token at Manhattan distance
``|dx| + |dy|`` is weighted by ``gamma ** (|dx| + |dy|)``, one ``gamma`` per
head. Early, high-resolution stages use the *decomposed* form (attention
along the width, then along the height, each with a 1-D decay) to keep the
cost linear in the number of rows and columns.

All modules in this file work on channel-last maps ``(N, H, W, C)``.

The functions below are the plain definitions; the modules run the fast
forms of :mod:`.fast_paths` (the same numbers to float rounding) unless
:func:`~.fast_paths.plain_path` is active. A stage builds its rotary
tables and decay masks once per map size (:meth:`RetentionRelPos.tables`).
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from torch import Tensor

from .fast_paths import (attend, conv_bn_eval, fast_path_enabled,
                         inference_rewrites, rotary_phasor, rotate,
                         rotate_pairs_exact, signed_sin)

#: (sin, cos) of the rotary embedding, each (H, W, head_dim).
Rotary = Tuple[Tensor, Tensor]


class RotaryTables(tuple):
    """``(sin, cos)``, each ``(H, W, head_dim)``, with the forms the fast
    rotations take: ``sin_signed`` (:func:`~.fast_paths.signed_sin`) and
    ``phasor`` (``(H, W, head_dim / 2)`` complex, ``cos + i sin`` of each
    channel pair). As a tuple it is ``(sin, cos)``."""

    def __new__(cls, sin: Tensor, cos: Tensor) -> 'RotaryTables':
        tables = super().__new__(cls, (sin, cos))
        tables.sin_signed = signed_sin(sin)
        tables.phasor = rotary_phasor(sin, cos)
        return tables

    def __getnewargs__(self) -> Tuple[Tensor, Tensor]:
        # copy.deepcopy and pickle rebuild it as RotaryTables(sin, cos)
        return tuple(self)


def head_log_decays(num_heads: int, decay_init: float,
                    decay_range: float) -> Tensor:
    """Per-head log decay ``log(gamma_i)``.

    ``gamma_i = 1 - 2 ** (-decay_init - decay_range * i / num_heads)`` for
    head ``i``: the first heads forget quickly (local attention), the last
    ones slowly (global attention).

    Args:
        num_heads (int): Number of heads.
        decay_init (float): Exponent of the first head.
        decay_range (float): Spread of the exponents over the heads.

    Returns:
        Tensor: ``(num_heads,)`` float32 log-decays (all negative).
    """
    exponents = decay_init + decay_range * torch.arange(
        num_heads, dtype=torch.float32) / num_heads
    return torch.log(1 - 2**(-exponents))


def linear_log_decay(length: int, log_decay: Tensor) -> Tensor:
    """1-D decay mask ``|i - j| * log(gamma)``.

    Args:
        length (int): Sequence length ``L``.
        log_decay (Tensor): ``(num_heads,)`` log-decays.

    Returns:
        Tensor: ``(num_heads, L, L)`` additive attention mask.
    """
    index = torch.arange(length, device=log_decay.device,
                         dtype=log_decay.dtype)
    distance = (index[:, None] - index[None, :]).abs()
    return distance * log_decay[:, None, None]


def manhattan_log_decay(height: int, width: int, log_decay: Tensor) -> Tensor:
    """2-D decay mask ``(|dy| + |dx|) * log(gamma)`` over a raster grid.

    Token ``n`` is the pixel ``(n // width, n % width)``.

    Args:
        height (int): Grid height ``H``.
        width (int): Grid width ``W``.
        log_decay (Tensor): ``(num_heads,)`` log-decays.

    Returns:
        Tensor: ``(num_heads, H*W, H*W)`` additive attention mask.
    """
    kwargs = dict(device=log_decay.device, dtype=log_decay.dtype)
    rows = torch.arange(height, **kwargs).repeat_interleave(width)
    cols = torch.arange(width, **kwargs).repeat(height)
    distance = ((rows[:, None] - rows[None, :]).abs() +
                (cols[:, None] - cols[None, :]).abs())
    return distance * log_decay[:, None, None]


def rotate_pairs(x: Tensor) -> Tensor:
    """Map each channel pair ``(a, b)`` of the last axis to ``(-b, a)``."""
    pairs = x.unflatten(-1, (-1, 2))
    return torch.stack((-pairs[..., 1], pairs[..., 0]), dim=-1).flatten(-2)


def apply_rotary(x: Tensor, rotary: Rotary) -> Tensor:
    """Rotate channel pairs of ``x`` by position-dependent angles.

    Args:
        x (Tensor): ``(..., H, W, head_dim)``.
        rotary (tuple[Tensor, Tensor]): ``(sin, cos)``, each
            ``(H, W, head_dim)``.

    Returns:
        Tensor: same shape as ``x``.
    """
    sin, cos = (t.to(x.dtype) for t in rotary)
    return x * cos + rotate_pairs(x) * sin


def decayed_attention(q: Tensor, k: Tensor, v: Tensor, log_decay: Tensor,
                      scale: float) -> Tensor:
    """``softmax(q k^T * scale + log_decay) v`` over the last two axes.

    (Explicit matmuls: on the CPU they beat
    ``F.scaled_dot_product_attention`` with a float mask at these sizes.)

    Args:
        q (Tensor): ``(..., L, d)`` queries.
        k (Tensor): ``(..., L, d)`` keys.
        v (Tensor): ``(..., L, d_v)`` values.
        log_decay (Tensor): Additive mask broadcastable to ``(..., L, L)``.
        scale (float): Logit scale.

    Returns:
        Tensor: ``(..., L, d_v)``.
    """
    logits = torch.matmul(q, k.transpose(-1, -2) * scale) + log_decay
    return torch.matmul(logits.softmax(dim=-1), v)


def is_func_transformed(tensor: Tensor) -> bool:
    """Whether ``tensor`` is a :mod:`torch.func` transform's (``vmap``,
    ``grad``) wrapper of another tensor."""
    return torch._C._functorch.is_functorch_wrapped_tensor(tensor)


class RetentionRelPos(nn.Module):
    """Rotary angles and decay masks of one retention stage.

    Args:
        head_dim (int): Channels per head (even).
        num_heads (int): Number of heads.
        decay_init (float): See :func:`head_log_decays`.
        decay_range (float): See :func:`head_log_decays`.
    """

    #: Map sizes whose tables are kept (a few: training and test sizes).
    max_cached = 8

    def __init__(self, head_dim: int, num_heads: int, decay_init: float,
                 decay_range: float) -> None:
        super().__init__()
        self._tables: Dict[tuple, Tuple[RotaryTables, tuple]] = {}
        if head_dim % 2:
            raise ValueError(f'head_dim must be even for the rotary '
                             f'embedding, got {head_dim}')
        freqs = 1.0 / (10000**torch.linspace(0, 1, head_dim // 2))
        self.register_buffer(
            'angle', freqs.repeat_interleave(2), persistent=False)
        self.register_buffer(
            'log_decay',
            head_log_decays(num_heads, decay_init, decay_range),
            persistent=False)

    def rotary(self, height: int, width: int) -> Rotary:
        """Rotary (sin, cos), each ``(H, W, head_dim)``.

        The angle grows with the raster index ``y * W + x`` of a token.
        """
        index = torch.arange(height * width, device=self.angle.device,
                             dtype=self.angle.dtype)
        phase = (index[:, None] * self.angle[None, :]).view(
            height, width, -1)
        return phase.sin(), phase.cos()

    def forward(self, height: int, width: int,
                decomposed: bool) -> Tuple[Rotary, Tuple[Tensor, ...]]:
        """Positional terms for an ``H x W`` map.

        Args:
            height (int): Map height.
            width (int): Map width.
            decomposed (bool): Return the two 1-D masks (height, width)
                instead of the full 2-D mask.

        Returns:
            tuple: ``((sin, cos), masks)`` with masks ``(mask_h, mask_w)``
            of shapes ``(heads, H, H)``, ``(heads, W, W)`` if
            ``decomposed``, else ``(mask_2d,)`` of shape
            ``(heads, H*W, H*W)``.
        """
        if decomposed:
            masks = (linear_log_decay(height, self.log_decay),
                     linear_log_decay(width, self.log_decay))
        else:
            masks = (manhattan_log_decay(height, width, self.log_decay), )
        return self.rotary(height, width), masks

    def tables(self, height: int, width: int,
               decomposed: bool) -> Tuple[RotaryTables, Tuple[Tensor, ...]]:
        """:meth:`forward`'s terms, built once per map size and kept.

        The rotary tables are a :class:`RotaryTables`. They depend only on
        the buffers (derived from the config, never learned), so they are
        kept per size, device, dtype and inference mode (a tensor made
        under ``torch.inference_mode`` cannot enter autograd later).
        """
        if is_func_transformed(self.angle):
            # the buffers are stacked under torch.func (vmap over models):
            # the tables hold that transform's tensors, which must not
            # outlive it
            with torch.no_grad():
                (sin, cos), masks = self(height, width, decomposed)
            return RotaryTables(sin, cos), masks
        key = (height, width, bool(decomposed), self.angle.device,
               self.angle.dtype, torch.is_inference_mode_enabled())
        found = self._tables.get(key)
        if found is None:
            with torch.no_grad():
                (sin, cos), masks = self(height, width, decomposed)
                found = (RotaryTables(sin, cos), masks)
            if len(self._tables) >= self.max_cached:
                self._tables.clear()
            self._tables[key] = found
        return found

    def _apply(self, fn, *args, **kwargs):
        # .to()/.cuda()/.half() change the buffers: forget the tables
        self._tables = {}
        return super()._apply(fn, *args, **kwargs)


class ChannelLastDWConv(nn.Conv2d):
    """Depthwise ``k x k`` convolution on a channel-last map.

    Args:
        channels (int): Channels of the map.
        kernel_size (int): Odd kernel size; the map keeps its size.
    """

    def __init__(self, channels: int, kernel_size: int) -> None:
        super().__init__(
            channels,
            channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=channels)

    def forward(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, H, W, C)."""
        return super().forward(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


class ManhattanSelfAttention(nn.Module):
    """Multi-head softmax attention with a Manhattan-distance decay.

    ``softmax(Q K^T / sqrt(d) + log D) V + LePE(V)`` with rotary-shifted
    ``Q`` and ``K``, ``D = gamma ** (|dx| + |dy|)`` (``decomposed=False``),
    or the same applied along the width and then along the height with 1-D
    decays (``decomposed=True``). LePE is a 5x5 depthwise convolution on V.

    Args:
        embed_dims (int): Channels ``C``.
        num_heads (int): Number of heads; ``C / num_heads`` must be even.
        decomposed (bool): Use the width-then-height form.
        lepe_kernel (int): Kernel of the LePE depthwise convolution.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 decomposed: bool,
                 lepe_kernel: int = 5) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.head_dim = embed_dims // num_heads
        self.scale = self.head_dim**-0.5
        self.decomposed = decomposed
        self.q_proj = nn.Linear(embed_dims, embed_dims)
        self.k_proj = nn.Linear(embed_dims, embed_dims)
        self.v_proj = nn.Linear(embed_dims, embed_dims)
        self.lepe = ChannelLastDWConv(embed_dims, lepe_kernel)
        self.out_proj = nn.Linear(embed_dims, embed_dims)

    def _heads(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, heads, H, W, head_dim)."""
        return x.unflatten(-1, (self.num_heads, self.head_dim)).permute(
            0, 3, 1, 2, 4)

    def forward(self, x: Tensor, rotary: Rotary,
                masks: Sequence[Tensor]) -> Tensor:
        """Attend over an ``H x W`` map.

        Args:
            x (Tensor): ``(N, H, W, C)``.
            rotary (tuple[Tensor, Tensor]): From :class:`RetentionRelPos`.
            masks (Sequence[Tensor]): ``(mask_h, mask_w)`` or ``(mask_2d,)``
                as given by :class:`RetentionRelPos` for this form.

        Returns:
            Tensor: ``(N, H, W, C)``.
        """
        if inference_rewrites(self):
            return self._forward_inference(x, rotary, masks)
        if fast_path_enabled():
            return self._forward_exact(x, rotary, masks)
        n, h, w, c = x.shape
        v = self.v_proj(x)
        lepe = self.lepe(v)
        q = apply_rotary(self._heads(self.q_proj(x)), rotary)
        k = apply_rotary(self._heads(self.k_proj(x)), rotary)
        v = self._heads(v)
        masks = [m.to(q.dtype) for m in masks]
        if self.decomposed:
            mask_h, mask_w = masks
            # along the width: every row is a sequence of W tokens
            out = decayed_attention(q, k, v, mask_w[:, None], self.scale)
            # then along the height: every column is a sequence of H tokens
            out = decayed_attention(
                q.transpose(2, 3), k.transpose(2, 3), out.transpose(2, 3),
                mask_h[:, None], self.scale).transpose(2, 3)
        else:
            out = decayed_attention(
                q.flatten(2, 3), k.flatten(2, 3), v.flatten(2, 3), masks[0],
                self.scale).unflatten(2, (h, w))
        out = out.permute(0, 2, 3, 1, 4).reshape(n, h, w, c)
        return self.out_proj(out + lepe)

    def _forward_exact(self, x: Tensor, rotary: Rotary,
                       masks: Sequence[Tensor]) -> Tensor:
        """:meth:`forward` with the exact rewrites of :mod:`.fast_paths`:
        the plain code's numbers, bit for bit."""
        n, h, w, c = x.shape
        sin, cos = rotary
        sin_signed = getattr(rotary, 'sin_signed', None)
        if sin_signed is None:
            sin_signed = signed_sin(sin)
        v = self.v_proj(x)
        lepe = self.lepe(v)
        q = rotate_pairs_exact(self._heads(self.q_proj(x)), cos, sin_signed)
        k = rotate_pairs_exact(self._heads(self.k_proj(x)), cos, sin_signed)
        v = self._heads(v)
        if self.decomposed:
            mask_h, mask_w = masks
            out = attend(q, k, v, mask_w[:, None], self.scale)
            out = attend(q.transpose(2, 3), k.transpose(2, 3),
                         out.transpose(2, 3), mask_h[:, None],
                         self.scale).transpose(2, 3)
        else:
            out = attend(q.flatten(2, 3), k.flatten(2, 3), v.flatten(2, 3),
                         masks[0], self.scale).unflatten(2, (h, w))
        out = out.permute(0, 2, 3, 1, 4).reshape(n, h, w, c)
        return self.out_proj(out + lepe)

    def _forward_inference(self, x: Tensor, rotary: Rotary,
                           masks: Sequence[Tensor]) -> Tensor:
        """:meth:`forward` in fewer passes (inference only: the rounding
        differs): one GEMM for q and k, one complex multiply that rotates
        both and scales q, and the column pass of the decomposed form
        rotated straight into its own layout."""
        n, h, w, c = x.shape
        heads, d = self.num_heads, self.head_dim
        v = self.v_proj(x)
        lepe = self.lepe(v)
        qk = F.linear(
            x, torch.cat((self.q_proj.weight, self.k_proj.weight)),
            torch.cat((self.q_proj.bias, self.k_proj.bias)))
        # (2, N, heads, H, W, d): q and k, head-major (a view)
        qk = qk.unflatten(-1, (2, heads, d)).permute(3, 0, 4, 1, 2, 5)
        phasor = _phasor(rotary)
        phasor = torch.stack((phasor * self.scale, phasor))[:, None, None]
        v = self._heads(v)
        if self.decomposed:
            mask_h, mask_w = masks
            q, k = rotate(qk, phasor)  # rows: (N, heads, H, W, d)
            out = attend(q, k, v, mask_w[:, None], 1.)
            q, k = rotate(qk.transpose(3, 4), phasor.transpose(3, 4))
            out = attend(q, k, out.transpose(2, 3), mask_h[:, None], 1.)
            out = out.permute(0, 3, 2, 1, 4)  # columns: (N, heads, W, H, d)
        else:
            q, k = rotate(qk, phasor).flatten(3, 4)
            out = attend(q, k, v.flatten(2, 3), masks[0],
                         1.).unflatten(2, (h, w)).permute(0, 2, 3, 1, 4)
        return self.out_proj(out.reshape(n, h, w, c) + lepe)


def _phasor(rotary: Rotary) -> Tensor:
    """The complex rotary table of ``rotary`` (kept by a
    :class:`RotaryTables`, else computed)."""
    phasor = getattr(rotary, 'phasor', None)
    return rotary_phasor(*rotary) if phasor is None else phasor


class ConvFFN(nn.Module):
    """Feed-forward network with a depthwise 3x3 convolution inside.

    ``fc2(y + DWConv(y))`` with ``y = GELU(fc1(x))``.

    Args:
        embed_dims (int): Input/output channels.
        hidden_dims (int): Hidden channels.
    """

    def __init__(self, embed_dims: int, hidden_dims: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(embed_dims, hidden_dims)
        self.act = nn.GELU()
        self.dwconv = ChannelLastDWConv(hidden_dims, 3)
        self.fc2 = nn.Linear(hidden_dims, embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, H, W, C)."""
        x = self.act(self.fc1(x))
        return self.fc2(x + self.dwconv(x))


class RetentionBlock(nn.Module):
    """One RMT block: conditional position conv, MaSA and ConvFFN.

    ``x + DWConv3x3(x)``, then pre-LayerNorm residual attention and
    pre-LayerNorm residual FFN, both with stochastic depth.

    Args:
        embed_dims (int): Channels.
        num_heads (int): Attention heads.
        decomposed (bool): Decomposed (width, height) attention.
        mlp_ratio (float): FFN hidden channels / embed_dims.
        drop_path (float): Stochastic depth rate.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 decomposed: bool,
                 mlp_ratio: float = 3.,
                 drop_path: float = 0.) -> None:
        super().__init__()
        self.pos = ChannelLastDWConv(embed_dims, 3)
        self.norm1 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.attn = ManhattanSelfAttention(embed_dims, num_heads, decomposed)
        self.norm2 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.ffn = ConvFFN(embed_dims, int(embed_dims * mlp_ratio))
        self.drop_path = DropPath(drop_path) if drop_path > 0 \
            else nn.Identity()

    def forward(self, x: Tensor, rotary: Rotary,
                masks: Sequence[Tensor]) -> Tensor:
        """(N, H, W, C) -> (N, H, W, C)."""
        x = x + self.pos(x)
        x = x + self.drop_path(self.attn(self.norm1(x), rotary, masks))
        return x + self.drop_path(self.ffn(self.norm2(x)))


class RetentionStage(nn.Module):
    """Retention blocks at one resolution, then an optional downsampling.

    Args:
        embed_dims (int): Channels of the blocks.
        depth (int): Number of blocks.
        num_heads (int): Attention heads.
        decay_init (float): See :func:`head_log_decays`.
        decay_range (float): See :func:`head_log_decays`.
        decomposed (bool): Decomposed (width, height) attention.
        mlp_ratio (float): FFN ratio.
        drop_paths (Sequence[float]): Stochastic depth rate of each block.
        out_dims (int, optional): If given, a 3x3 stride-2 convolution with
            BatchNorm maps the output to ``out_dims`` channels at half the
            resolution.
    """

    def __init__(self,
                 embed_dims: int,
                 depth: int,
                 num_heads: int,
                 decay_init: float,
                 decay_range: float,
                 decomposed: bool,
                 mlp_ratio: float = 3.,
                 drop_paths: Optional[Sequence[float]] = None,
                 out_dims: Optional[int] = None) -> None:
        super().__init__()
        drop_paths = list(drop_paths) if drop_paths is not None \
            else [0.] * depth
        if len(drop_paths) != depth:
            raise ValueError(f'{len(drop_paths)} drop-path rates given for '
                             f'{depth} blocks')
        self.decomposed = decomposed
        self.rel_pos = RetentionRelPos(embed_dims // num_heads, num_heads,
                                       decay_init, decay_range)
        self.blocks = nn.ModuleList([
            RetentionBlock(embed_dims, num_heads, decomposed, mlp_ratio, dp)
            for dp in drop_paths
        ])
        self.downsample = None
        if out_dims is not None:
            self.downsample = conv_bn(embed_dims, out_dims, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, H', W', C')."""
        if fast_path_enabled():
            rotary, masks = self.rel_pos.tables(x.shape[1], x.shape[2],
                                                self.decomposed)
        else:
            rotary, masks = self.rel_pos(x.shape[1], x.shape[2],
                                         self.decomposed)
        for block in self.blocks:
            x = block(x, rotary, masks)
        if self.downsample is not None:
            x = self.downsample(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        return x


class ConvBN(nn.Sequential):
    """``conv``, ``bn`` (and ``activate``) in sequence; in inference
    (:func:`~.fast_paths.inference_rewrites`) the BatchNorm is folded into
    the convolution (one pass over the map). The state-dict keys are those
    of the two modules."""

    def forward(self, x: Tensor) -> Tensor:
        """(N, C_in, H, W) -> (N, C_out, H', W')."""
        out = None
        if inference_rewrites(self):
            out = conv_bn_eval(x, self.conv, self.bn)
        if out is None:
            out = self.bn(self.conv(x))
        if 'activate' in self._modules:
            out = self.activate(out)
        return out


def conv_bn(in_channels: int,
            out_channels: int,
            stride: int = 1,
            act: bool = False) -> nn.Sequential:
    """3x3 convolution (with bias) + BatchNorm (+ GELU).

    The children are named ``conv``, ``bn`` and ``activate``. The
    convolution keeps PyTorch's default initialization and its bias, as in
    the official model (so its weights load unchanged).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride (padding 1).
        act (bool): Append a GELU.

    Returns:
        ConvBN: ``(N, C_in, H, W) -> (N, C_out, H', W')`` (an
        ``nn.Sequential``).
    """
    layers = OrderedDict(
        conv=nn.Conv2d(in_channels, out_channels, 3, stride, 1),
        bn=nn.BatchNorm2d(out_channels))
    if act:
        layers['activate'] = nn.GELU()
    return ConvBN(layers)


def conv_stem(in_channels: int, channels: Sequence[int],
              strides: Sequence[int]) -> nn.Sequential:
    """Stack of 3x3 conv + BN (+ GELU except after the last one).

    Args:
        in_channels (int): Input channels.
        channels (Sequence[int]): Output channels of each convolution.
        strides (Sequence[int]): Stride of each convolution.

    Returns:
        nn.Sequential: ``(N, C_in, H, W) -> (N, channels[-1], H', W')``.
    """
    if len(channels) != len(strides) or not channels:
        raise ValueError(f'stem: {len(channels)} channel counts for '
                         f'{len(strides)} strides')
    layers: List[nn.Module] = []
    for i, (out, stride) in enumerate(zip(channels, strides)):
        layers.append(
            conv_bn(in_channels, out, stride, act=i < len(channels) - 1))
        in_channels = out
    return nn.Sequential(*layers)
