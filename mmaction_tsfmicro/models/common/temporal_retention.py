"""Causal multi-scale retention over time, its block and a stack of blocks.

:class:`TemporalRetention` is RetNet's multi-scale retention (Sun et al.,
arXiv:2307.08621) over the time axis of a ``(N, T, C)`` sequence: one decay
per head (``gamma_h = 1 - 2 ** (-5 - h)`` by default), rotary positions on
the queries and keys, a GroupNorm per head, a swish gate and an output
projection. Its three forms (:mod:`.retention_forms`) compute the same
function:

* ``'parallel'``: ``(Q K^T (.) D) V`` over the whole sequence (training);
* ``'chunkwise'``: parallel inside chunks of ``chunk_size`` frames,
  recurrent across them (long sequences in bounded memory);
* ``'recurrent'``: one frame at a time, ``S_n = gamma S_{n-1} + k_n^T v_n``,
  ``o_n = q_n S_n`` (streaming, constant memory).

Every form takes and returns an explicit state (:meth:`init_state`), so a
sequence may also be fed in pieces, in any form; :meth:`step` is the
recurrent form for one frame. The state holds, per layer, ``kv``
``(N, heads, dk, dv)``, ``key_sum`` ``(N, heads, dk)`` and the integer
``position`` of the next frame: its size does not grow with time.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from torch import Tensor

from .retention_forms import (  # noqa: F401 (state_numel: re-exported)
    RetentionState, check_form, chunk_decays, head_log_gammas,
    normalize_rows, retention_chunk, retention_step, rotary_angles, rotate,
    row_scale, state_numel)


class TemporalRetention(nn.Module):
    """Causal multi-scale retention over time.

    ``MSR(X) = W_O (swish(X W_G) (.) GroupNorm_h(Retention_h(X)))``.

    Args:
        embed_dims (int): Channels ``C`` of the sequence.
        num_heads (int): Heads; ``C / num_heads`` (the key channels per
            head) must be even.
        value_factor (int): Value channels = ``value_factor * C`` (RetNet
            uses 2). Defaults to 2.
        gammas (Sequence[float], optional): One decay per head; defaults to
            ``1 - 2 ** -(decay_start + h * decay_step)``.
        decay_start (float): See ``gammas``. Defaults to 5 (the paper).
        decay_step (float): See ``gammas``. Defaults to 1 (the paper).
        qkv_bias (bool): Biases of the q, k, v and gate projections.
            Defaults to False.
        norm_eps (float): Epsilon of the per-head GroupNorm.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 value_factor: int = 2,
                 gammas: Optional[Sequence[float]] = None,
                 decay_start: float = 5.,
                 decay_step: float = 1.,
                 qkv_bias: bool = False,
                 norm_eps: float = 1e-5) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.key_dim = embed_dims // num_heads
        self.value_dim = self.key_dim * value_factor
        value_dims = self.value_dim * num_heads
        # float64 constants kept off the module: .half() / .to(dtype) must
        # not round them (positions reach millions of frames in a stream)
        self._log_gamma = head_log_gammas(
            num_heads, None if gammas is None else tuple(gammas),
            decay_start, decay_step)
        self._angles = rotary_angles(self.key_dim)
        self.q_proj = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.k_proj = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.v_proj = nn.Linear(embed_dims, value_dims, bias=qkv_bias)
        self.g_proj = nn.Linear(embed_dims, value_dims, bias=qkv_bias)
        self.group_norm = nn.GroupNorm(num_heads, value_dims, eps=norm_eps)
        self.out_proj = nn.Linear(value_dims, embed_dims)

    @property
    def gammas(self) -> List[float]:
        """The decay of each head."""
        return self._log_gamma.exp().tolist()

    def init_state(self,
                   batch_size: int,
                   device: Optional[torch.device] = None,
                   dtype: Optional[torch.dtype] = None) -> RetentionState:
        """The state before the first frame (zeros, position 0)."""
        dtype = dtype or self.out_proj.weight.dtype
        device = device or self.out_proj.weight.device
        h, dk, dv = self.num_heads, self.key_dim, self.value_dim
        return dict(
            kv=torch.zeros(batch_size, h, dk, dv, device=device, dtype=dtype),
            key_sum=torch.zeros(batch_size, h, dk, device=device,
                                dtype=dtype),
            position=0)

    def _heads(self, x: Tensor) -> Tensor:
        """(N, L, heads * d) -> (N, heads, L, d)."""
        return x.unflatten(-1, (self.num_heads, -1)).transpose(1, 2)

    def _qkv(self, x: Tensor, start: int) -> Tuple[Tensor, Tensor, Tensor]:
        """Rotated queries, rotated scaled keys and values of frames
        ``start ..``; each ``(N, heads, L, d)``."""
        q = rotate(self._heads(self.q_proj(x)), start, self._angles)
        k = rotate(self._heads(self.k_proj(x)), start, self._angles)
        return q, k * self.key_dim**-0.5, self._heads(self.v_proj(x))

    def _output(self, out: Tensor, x: Tensor) -> Tensor:
        """GroupNorm per head, swish gate, output projection.

        Args:
            out (Tensor): ``(N, heads, L, dv)`` normalised retention.
            x (Tensor): ``(N, L, C)`` the input (for the gate).
        """
        n, length = x.shape[:2]
        out = out.transpose(1, 2).reshape(n * length, -1)
        out = self.group_norm(out).view(n, length, -1)
        return self.out_proj(F.silu(self.g_proj(x)) * out)

    def forward(self,
                x: Tensor,
                state: Optional[RetentionState] = None,
                form: str = 'parallel',
                chunk_size: Optional[int] = None
                ) -> Tuple[Tensor, RetentionState]:
        """Retention of a sequence, after ``state``.

        Args:
            x (Tensor): ``(N, T, C)``, ``T >= 1``.
            state (dict, optional): From :meth:`init_state` or a previous
                call; defaults to the start of a sequence.
            form (str): ``'parallel'``, ``'chunkwise'`` or ``'recurrent'``.
            chunk_size (int, optional): Frames per chunk (chunkwise form).

        Returns:
            tuple[Tensor, dict]: ``(N, T, C)`` outputs and the state after
            the last frame.
        """
        check_form(form, chunk_size)
        if x.dim() != 3 or x.shape[-1] != self.embed_dims or not x.shape[1]:
            raise ValueError(f'TemporalRetention expects (N, T >= 1, '
                             f'{self.embed_dims}), got {tuple(x.shape)}')
        if state is None:
            state = self.init_state(x.shape[0], x.device, x.dtype)
        if form == 'recurrent':
            outs = []
            for t in range(x.shape[1]):
                y, state = self.step(x[:, t], state)
                outs.append(y)
            return torch.stack(outs, dim=1), state
        start, length = state['position'], x.shape[1]
        q, k, v = self._qkv(x, start)
        kv, key_sum = state['kv'], state['key_sum']
        size = length if form == 'parallel' else chunk_size
        outs = []
        for first in range(0, length, size):
            part = slice(first, first + size)
            decays = chunk_decays(self._log_gamma,
                                  min(size, length - first), q)
            out, rows, kv, key_sum = retention_chunk(
                q[:, :, part], k[:, :, part], v[:, :, part], decays, kv,
                key_sum)
            outs.append((out, rows))
        out = torch.cat([o for o, _ in outs], dim=2)
        rows = torch.cat([r for _, r in outs], dim=2)
        scale = row_scale(self._log_gamma, start, length, q)
        y = self._output(normalize_rows(out, rows, scale), x)
        return y, dict(kv=kv, key_sum=key_sum, position=start + length)

    def step(self, x: Tensor,
             state: RetentionState) -> Tuple[Tensor, RetentionState]:
        """The recurrent form for one frame.

        Args:
            x (Tensor): ``(N, C)``, the frame at ``state['position']``.
            state (dict): The state before it.

        Returns:
            tuple[Tensor, dict]: ``(N, C)`` output and the next state (a new
            dict; ``state`` is left as it was).
        """
        if x.dim() != 2 or x.shape[-1] != self.embed_dims:
            raise ValueError(f'TemporalRetention.step expects (N, '
                             f'{self.embed_dims}), got {tuple(x.shape)}')
        n = state['position']
        q, k, v = (t[:, :, 0] for t in self._qkv(x[:, None], n))
        gamma = self._log_gamma.exp().to(x.device, x.dtype)
        out, rows, kv, key_sum = retention_step(q, k, v, state['kv'],
                                                state['key_sum'], gamma)
        scale = row_scale(self._log_gamma, n, 1, x)
        out = normalize_rows(out[:, :, None], rows[:, :, None], scale)
        y = self._output(out, x[:, None])[:, 0]
        return y, dict(kv=kv, key_sum=key_sum, position=n + 1)


class TemporalRetentionBlock(nn.Module):
    """Pre-norm retention and feed-forward network, each with a residual.

    ``x + DropPath(MSR(LN(x)))``, then ``x + DropPath(FFN(LN(x)))`` with
    ``FFN = Linear -> GELU -> Linear``.

    Args:
        embed_dims (int): Channels.
        num_heads (int): Retention heads.
        ffn_ratio (float): FFN hidden channels / ``embed_dims``.
            Defaults to 2.
        drop_path (float): Stochastic depth rate. Defaults to 0.
        **retention_kwargs: ``value_factor``, ``gammas``, ``decay_start``,
            ``decay_step``, ``qkv_bias``, ``norm_eps`` of
            :class:`TemporalRetention`.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 ffn_ratio: float = 2.,
                 drop_path: float = 0.,
                 **retention_kwargs) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims)
        self.retention = TemporalRetention(embed_dims, num_heads,
                                           **retention_kwargs)
        self.norm2 = nn.LayerNorm(embed_dims)
        hidden = int(embed_dims * ffn_ratio)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, hidden), nn.GELU(),
            nn.Linear(hidden, embed_dims))
        self.drop_path = DropPath(drop_path) if drop_path > 0 \
            else nn.Identity()

    def init_state(self, batch_size: int,
                   device: Optional[torch.device] = None,
                   dtype: Optional[torch.dtype] = None) -> RetentionState:
        """The retention's initial state."""
        return self.retention.init_state(batch_size, device, dtype)

    def forward(self,
                x: Tensor,
                state: Optional[RetentionState] = None,
                form: str = 'parallel',
                chunk_size: Optional[int] = None
                ) -> Tuple[Tensor, RetentionState]:
        """(N, T, C) -> ((N, T, C), state); see
        :meth:`TemporalRetention.forward`."""
        y, state = self.retention(self.norm1(x), state, form, chunk_size)
        x = x + self.drop_path(y)
        return x + self.drop_path(self.ffn(self.norm2(x))), state

    def step(self, x: Tensor,
             state: RetentionState) -> Tuple[Tensor, RetentionState]:
        """(N, C) -> ((N, C), state): one frame."""
        y, state = self.retention.step(self.norm1(x), state)
        x = x + self.drop_path(y)
        return x + self.drop_path(self.ffn(self.norm2(x))), state


class TemporalRetentionStack(nn.Module):
    """Retention blocks over time, then an optional final LayerNorm.

    Args:
        embed_dims (int): Channels.
        depth (int): Number of blocks.
        num_heads (int): Retention heads of every block.
        ffn_ratio (float): FFN ratio of every block. Defaults to 2.
        drop_path_rate (float): Stochastic depth of the last block, spread
            linearly from 0. Defaults to 0.
        final_norm (bool): End with a LayerNorm. Defaults to True.
        **retention_kwargs: See :class:`TemporalRetentionBlock`.
    """

    def __init__(self,
                 embed_dims: int,
                 depth: int,
                 num_heads: int,
                 ffn_ratio: float = 2.,
                 drop_path_rate: float = 0.,
                 final_norm: bool = True,
                 **retention_kwargs) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f'depth must be >= 1, got {depth}')
        self.embed_dims = embed_dims
        rates = [drop_path_rate * i / max(depth - 1, 1) for i in range(depth)]
        self.blocks = nn.ModuleList([
            TemporalRetentionBlock(embed_dims, num_heads, ffn_ratio, rate,
                                   **retention_kwargs) for rate in rates
        ])
        self.norm = nn.LayerNorm(embed_dims) if final_norm \
            else nn.Identity()

    def init_state(self, batch_size: int,
                   device: Optional[torch.device] = None,
                   dtype: Optional[torch.dtype] = None
                   ) -> List[RetentionState]:
        """One initial state per block."""
        return [b.init_state(batch_size, device, dtype) for b in self.blocks]

    def forward(self,
                x: Tensor,
                state: Optional[List[RetentionState]] = None,
                form: str = 'parallel',
                chunk_size: Optional[int] = None
                ) -> Tuple[Tensor, List[RetentionState]]:
        """(N, T, C) -> ((N, T, C), states); see
        :meth:`TemporalRetention.forward`."""
        check_form(form, chunk_size)
        if state is None:
            state = [None] * len(self.blocks)
        new_state = []
        for block, block_state in zip(self.blocks, state):
            x, block_state = block(x, block_state, form, chunk_size)
            new_state.append(block_state)
        return self.norm(x), new_state

    def step(self, x: Tensor, state: List[RetentionState]
             ) -> Tuple[Tensor, List[RetentionState]]:
        """(N, C) -> ((N, C), states): one frame through every block."""
        new_state = []
        for block, block_state in zip(self.blocks, state):
            x, block_state = block.step(x, block_state)
            new_state.append(block_state)
        return self.norm(x), new_state
