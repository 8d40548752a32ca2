"""The three forms of causal retention over time, on per-head tensors.

Retention (Sun et al., "Retentive Network: A Successor to Transformer for
Large Language Models", arXiv:2307.08621) of one head with decay ``gamma``,
for queries ``q_n``, keys ``k_m`` (rotated by their positions, keys scaled
by ``d_k ** -0.5``) and values ``v_m`` at the absolute positions
``n, m = 0, 1, ...`` of a sequence:

* scores ``R_nm = (q_n . k_m) gamma^(n-m) / sqrt(c_n)`` for ``m <= n``
  (0 otherwise), with ``c_n = sum_{i=0..n} gamma^i = (1 - gamma^(n+1)) /
  (1 - gamma)`` the sum of row ``n`` of the decay mask ``D``: the paper's
  row normalisation of ``D``, written in closed form so that a step that
  knows its position ``n`` reproduces it;
* output ``o_n = sum_m R_nm v_m / max(|sum_m R_nm|, 1)``: the paper's
  normalisation of the scores by their row sum. The row sum is
  ``q_n . z_n / sqrt(c_n)`` with the decayed key sum
  ``z_n = sum_{m <= n} gamma^(n-m) k_m``, which the state carries beside
  ``S_n = sum_{m <= n} gamma^(n-m) k_m^T v_m``; so the recurrent and
  chunkwise forms apply the very same normalisation as the parallel one.

Both normalisations only rescale a row ``o_n``, and depend on ``n`` and the
inputs up to ``n`` alone: every form computes the unnormalised ``o_n`` and
row sum ``s_n`` its own way and :func:`normalize_rows` finishes them.

Tensors here are ``(N, heads, L, d)``; decays are float64 log-gammas
``(heads,)``, and the positional terms are computed in float64 from the
integer positions before they are cast, so that a stream of any length
keeps them exact.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
from torch import Tensor

#: The forms :class:`TemporalRetention` computes.
FORMS = ('parallel', 'chunkwise', 'recurrent')


def head_log_gammas(num_heads: int,
                    gammas: Optional[Tuple[float, ...]] = None,
                    decay_start: float = 5.,
                    decay_step: float = 1.) -> Tensor:
    """Per-head ``log(gamma_h)`` in float64.

    ``gamma_h = 1 - 2 ** -(decay_start + h * decay_step)``, the paper's
    ``1 - 2 ** (-5 - h)`` by default, or the ``gammas`` given.

    Args:
        num_heads (int): Number of heads.
        gammas (tuple[float], optional): One decay per head, each in (0, 1).
        decay_start (float): Exponent of head 0.
        decay_step (float): Exponent increment per head.

    Returns:
        Tensor: ``(num_heads,)`` float64 log-decays (all negative).
    """
    if gammas is None:
        exponents = decay_start + decay_step * torch.arange(
            num_heads, dtype=torch.float64)
        values = 1 - 2**(-exponents)
    else:
        values = torch.tensor([float(g) for g in gammas], dtype=torch.float64)
        if values.numel() != num_heads:
            raise ValueError(f'{values.numel()} gammas given for '
                             f'{num_heads} heads')
    if not ((values > 0) & (values < 1)).all():
        raise ValueError('every decay gamma must lie in (0, 1), got '
                         f'{values.tolist()}')
    return values.log()


def rotary_angles(head_dim: int) -> Tensor:
    """Rotary angle of each key channel (float64, ``(head_dim,)``).

    Channel pair ``(2i, 2i+1)`` turns by ``theta_i = 10000 ** -(i / (d/2 -
    1))`` radians per position, so ``q_n . k_m`` depends on ``n - m`` only.
    """
    if head_dim % 2:
        raise ValueError(f'the key channels per head must be even for the '
                         f'rotary embedding, got {head_dim}')
    theta = 1.0 / 10000**torch.linspace(
        0, 1, head_dim // 2, dtype=torch.float64)
    return theta.repeat_interleave(2)


def rotate(x: Tensor, start: int, angles: Tensor) -> Tensor:
    """Rotate the channel pairs of ``x`` by their positions' angles.

    Args:
        x (Tensor): ``(N, heads, L, d)``, positions ``start .. start+L-1``.
        start (int): Absolute position of ``x[:, :, 0]``.
        angles (Tensor): From :func:`rotary_angles`.

    Returns:
        Tensor: Same shape as ``x``.
    """
    positions = torch.arange(
        start, start + x.shape[-2], dtype=torch.float64)
    phase = positions[:, None] * angles[None, :]
    cos = phase.cos().to(x.device, x.dtype)
    sin = phase.sin().to(x.device, x.dtype)
    pairs = x.unflatten(-1, (-1, 2))
    turned = torch.stack((-pairs[..., 1], pairs[..., 0]), dim=-1).flatten(-2)
    return x * cos + turned * sin


def row_scale(log_gamma: Tensor, start: int, length: int, like: Tensor) -> \
        Tensor:
    """``1 / sqrt(c_n)`` for positions ``start .. start+length-1``.

    Returns:
        Tensor: ``(heads, length)`` in the dtype and device of ``like``.
    """
    n = torch.arange(start, start + length, dtype=torch.float64)
    lg = log_gamma[:, None]
    count = torch.expm1((n[None] + 1) * lg) / torch.expm1(lg)
    return count.rsqrt().to(like.device, like.dtype)


def chunk_decays(log_gamma: Tensor, length: int,
                 like: Tensor) -> Dict[str, Tensor]:
    """Decay terms of a chunk of ``length`` positions (local ``t, s``).

    Returns:
        dict[str, Tensor]: ``inner`` ``(heads, L, L)``: ``gamma^(t-s)`` for
        ``t >= s``, else 0 (the mask ``D`` of the chunk); ``query``
        ``(heads, L)``: ``gamma^(t+1)``, the decay of the previous state
        seen from ``t``; ``key`` ``(heads, L)``: ``gamma^(L-1-s)``, the decay
        of position ``s`` at the chunk's end; ``chunk`` ``(heads,)``:
        ``gamma^L``.
    """
    t = torch.arange(length, dtype=torch.float64)
    lg = log_gamma[:, None]
    lag = t[:, None] - t[None, :]
    inner = torch.exp(lag.clamp(min=0)[None] * lg[..., None])
    inner = inner.masked_fill(lag[None] < 0, 0.)
    terms = dict(
        inner=inner,
        query=torch.exp((t[None] + 1) * lg),
        key=torch.exp((length - 1 - t[None]) * lg),
        chunk=torch.exp(length * log_gamma))
    return {k: v.to(like.device, like.dtype) for k, v in terms.items()}


def retention_chunk(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    decays: Dict[str, Tensor],
    kv: Optional[Tensor] = None,
    key_sum: Optional[Tensor] = None,
    need_state: bool = True
) -> Tuple[Tensor, Tensor, Optional[Tensor], Optional[Tensor]]:
    """Unnormalised retention of one chunk, after a state (or none).

    Inside the chunk ``(Q K^T (.) D) V``; the state adds
    ``(Q S) (.) gamma^(t+1)``. The parallel form is one chunk of the whole
    sequence.

    Args:
        q (Tensor): ``(N, heads, L, dk)`` rotated queries.
        k (Tensor): ``(N, heads, L, dk)`` rotated, scaled keys.
        v (Tensor): ``(N, heads, L, dv)`` values.
        decays (dict): :func:`chunk_decays` of ``L``.
        kv (Tensor, optional): ``(N, heads, dk, dv)`` state ``S`` before the
            chunk; None for the start of a sequence.
        key_sum (Tensor, optional): ``(N, heads, dk)`` state ``z``.
        need_state (bool): Compute the state after the chunk.

    Returns:
        tuple: ``out`` ``(N, heads, L, dv)`` and row sums ``(N, heads, L)``
        (both before :func:`normalize_rows`), the new ``kv`` and
        ``key_sum`` (None if not ``need_state``).
    """
    scores = torch.matmul(q, k.transpose(-1, -2)) * decays['inner']
    out = torch.matmul(scores, v)
    rows = scores.sum(dim=-1)
    if kv is not None:
        query = decays['query']
        out = out + torch.matmul(q, kv) * query[..., None]
        rows = rows + torch.matmul(q, key_sum[..., None])[..., 0] * query
    new_kv = new_sum = None
    if need_state:
        weighted = k * decays['key'][..., None]
        new_kv = torch.matmul(weighted.transpose(-1, -2), v)
        new_sum = weighted.sum(dim=-2)
        if kv is not None:
            chunk = decays['chunk']
            new_kv = new_kv + chunk[:, None, None] * kv
            new_sum = new_sum + chunk[:, None] * key_sum
    return out, rows, new_kv, new_sum


def retention_step(q: Tensor, k: Tensor, v: Tensor, kv: Tensor,
                   key_sum: Tensor,
                   gamma: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """One recurrent step: ``S_n = gamma S_{n-1} + k_n^T v_n``,
    ``o_n = q_n S_n`` (and ``z_n = gamma z_{n-1} + k_n``, ``s_n = q_n .
    z_n``).

    Args:
        q (Tensor): ``(N, heads, dk)``.
        k (Tensor): ``(N, heads, dk)``.
        v (Tensor): ``(N, heads, dv)``.
        kv (Tensor): ``(N, heads, dk, dv)`` state ``S_{n-1}``.
        key_sum (Tensor): ``(N, heads, dk)`` state ``z_{n-1}``.
        gamma (Tensor): ``(heads,)`` decays.

    Returns:
        tuple: ``o_n`` ``(N, heads, dv)`` and ``s_n`` ``(N, heads)``, both
        unnormalised, and the new ``S_n``, ``z_n``.
    """
    kv = gamma[:, None, None] * kv + k[..., :, None] * v[..., None, :]
    key_sum = gamma[:, None] * key_sum + k
    out = torch.einsum('nhk,nhkv->nhv', q, kv)
    rows = (q * key_sum).sum(dim=-1)
    return out, rows, kv, key_sum


def normalize_rows(out: Tensor, rows: Tensor, scale: Tensor) -> Tensor:
    """``o_n / sqrt(c_n) / max(|s_n / sqrt(c_n)|, 1)``.

    Args:
        out (Tensor): ``(N, heads, L, dv)`` unnormalised outputs.
        rows (Tensor): ``(N, heads, L)`` unnormalised row sums.
        scale (Tensor): ``(heads, L)`` from :func:`row_scale`.

    Returns:
        Tensor: ``(N, heads, L, dv)``.
    """
    rows = rows * scale
    return out * (scale / rows.abs().clamp(min=1))[..., None]


#: The state of one retention layer: ``kv``, ``key_sum``, ``position``.
RetentionState = Dict[str, Union[Tensor, int]]
#: A state, or a (nested) list or dict of states.
AnyState = Union[RetentionState, List, Dict]


def state_numel(state: AnyState) -> int:
    """Number of tensor elements in a (nested) state.

    Args:
        state (dict | list): A state of this module, of a stack, or of a
            model built on them.

    Returns:
        int: The total ``numel`` of its tensors.
    """
    if isinstance(state, Tensor):
        return state.numel()
    if isinstance(state, dict):
        return sum(state_numel(v) for v in state.values())
    if isinstance(state, (list, tuple)):
        return sum(state_numel(v) for v in state)
    return 0


def check_form(form: str, chunk_size: Optional[int]) -> None:
    """Refuse an unknown form or a chunkwise form without a chunk size."""
    if form not in FORMS:
        raise ValueError(f'form must be one of {FORMS}, got {form!r}')
    if form == 'chunkwise' and (not isinstance(chunk_size, int)
                                or chunk_size < 1):
        raise ValueError('the chunkwise form needs chunk_size, a positive '
                         f'int, got {chunk_size!r}')
