"""Fast implementations of the backbone's costly steps, and the switch back
to the plain ones.

Two kinds of rewrite, both computing what the plain expressions of
:mod:`.retention` and :mod:`.spatial_branch` compute:

* **exact** ones, used everywhere (training included): they give the plain
  code's numbers bit for bit (the tests compare with ``torch.equal``), so a
  training run, whose trajectory amplifies any rounding difference, ends
  with the same weights and the same LOSO numbers:

  - :func:`rotate_pairs_exact` applies the rotary embedding with one copy
    fewer: ``x * cos + swap(x) * (sign * sin)``, where ``swap`` exchanges
    the two channels of each pair and ``sign`` is ``(-1, +1)``, instead of
    ``x * cos + stack((-x_odd, x_even)) * sin``: the same products, as
    ``(-a) * s == a * (-s)`` exactly;
  - :func:`attend` adds the decay mask to the logits in place (the matmul's
    backward needs its inputs, not its output);
  - the stages build their rotary tables and masks once per map size;

* **inference-only** ones (:func:`inference_rewrites`: eval mode and no
  autograd), which change float rounding (results within 1e-6 of the plain
  ones here, 1e-4 is the tested bound): :func:`rotate` (the rotation as
  one complex multiply of each channel pair with ``cos + i sin``, q's
  logit scale folded into it), q and k from one GEMM, BatchNorm
  folded into the convolution before it (:func:`conv_bn_eval`),
  channels-last convolutions, the second pass of the decomposed attention
  rotated straight into its own layout.

On CUDA, :func:`attend` calls ``F.scaled_dot_product_attention`` (fused
kernels that never hold the attention maps in memory), in training too:
CUDA training is not bit-reproducible anyway. On the CPU the explicit
matmuls were measured faster than it at every size of the paper and tiny
models (forward and backward), so they stay there.

:func:`plain_path` switches every rewrite off (for a comparison, or to
debug), and so does the backbone's ``fast_ops=False`` in a config (e.g.
``tools/loso.py ... --cfg-options model.backbone.fast_ops=False``); the
plain code is then what runs, op for op.
"""
import contextlib
import threading
from typing import Iterator, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

_state = threading.local()


def fast_path_enabled() -> bool:
    """Whether the fast implementations are used (the default; not inside
    :func:`plain_path`)."""
    fast = getattr(_state, 'fast', None)
    return True if fast is None else fast


def inference_rewrites(module: nn.Module) -> bool:
    """Whether ``module`` may use the inference-only rewrites: the fast path
    is on, the module is in eval mode and autograd is off."""
    return (fast_path_enabled() and not module.training
            and not torch.is_grad_enabled())


@contextlib.contextmanager
def plain_path() -> Iterator[None]:
    """Run the plain (reference) implementations inside the ``with`` block
    (in this thread)."""
    old = getattr(_state, 'fast', None)
    _state.fast = False
    try:
        yield
    finally:
        _state.fast = old


def rotary_phasor(sin: Tensor, cos: Tensor) -> Tensor:
    """``cos + i sin`` of each channel pair: ``(..., d)`` tables (each angle
    repeated for the two channels of its pair) to ``(..., d / 2)``
    complex."""
    return torch.complex(cos[..., 0::2].float(), sin[..., 0::2].float())


def signed_sin(sin: Tensor) -> Tensor:
    """``sin`` with the first channel of each pair negated, for
    :func:`rotate_pairs_exact`."""
    sign = sin.new_tensor([-1., 1.]).repeat(sin.shape[-1] // 2)
    return sin * sign


def rotate_pairs_exact(x: Tensor, cos: Tensor, sin_signed: Tensor) -> Tensor:
    """``x * cos + rotate_pairs(x) * sin``, bit for bit, with one copy of
    ``x`` instead of two.

    Args:
        x (Tensor): ``(..., d)``.
        cos (Tensor): ``(..., d)`` broadcastable to ``x``.
        sin_signed (Tensor): :func:`signed_sin` of the sine table.

    Returns:
        Tensor: Same shape as ``x``.
    """
    swapped = x.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)
    return x * cos.to(x.dtype) + swapped * sin_signed.to(x.dtype)


def rotate(x: Tensor, phasor: Tensor) -> Tensor:
    """Rotate the channel pairs of ``x`` by ``phasor``.

    Args:
        x (Tensor): ``(..., d)`` real; the last axis must have stride 1
            (any other layout, e.g. a permuted view, is fine).
        phasor (Tensor): Complex ``(..., d / 2)`` broadcastable to ``x``'s
            pairs, see :func:`rotary_phasor` (times a real scale, if any).

    Returns:
        Tensor: ``(..., d)`` of ``x``'s dtype (not always contiguous:
        elementwise ops keep ``x``'s layout).
    """
    dtype = x.dtype
    if dtype not in (torch.float32, torch.float64):
        x = x.float()  # no complex half/bfloat16 kernels everywhere
    if x.stride(-1) != 1 or any(s % 2 for s in x.stride()[:-1]):
        x = x.contiguous()
    pairs = torch.view_as_complex(x.unflatten(-1, (-1, 2)))
    out = torch.view_as_real(pairs * phasor.to(pairs.dtype)).flatten(-2)
    return out.to(dtype)


def attend(q: Tensor, k: Tensor, v: Tensor, mask: Tensor,
           scale: float) -> Tensor:
    """``softmax(q k^T * scale + mask) v`` over the last two axes, as
    :func:`~.retention.decayed_attention` computes it (bit for bit on the
    CPU).

    Args:
        q (Tensor): ``(..., L, d)``.
        k (Tensor): ``(..., L, d)``.
        v (Tensor): ``(..., L, d_v)``.
        mask (Tensor): Additive mask broadcastable to ``(..., L, L)``.
        scale (float): Logit scale (1 when ``q`` is already scaled).

    Returns:
        Tensor: ``(..., L, d_v)``.
    """
    if q.is_cuda:
        return _sdpa(q, k, v, mask, scale)
    rows = attention_chunk(q, k)
    if rows < q.shape[0]:
        return torch.cat([
            _attend_cpu(*parts, mask, scale)
            for parts in zip(q.split(rows), k.split(rows), v.split(rows))
        ])
    return _attend_cpu(q, k, v, mask, scale)


#: Bytes of attention logits :func:`attend` computes at once on the CPU
#: (about a core's L2 cache).
CHUNK_BYTES = 1 << 20
#: Shorter sequences are never chunked: MKL multiplies matrices this small
#: with kernels that depend on how many there are (a 2x2 map's 4 tokens
#: differ in the last bit), and their logits are small anyway.
MIN_CHUNK_TOKENS = 16


def attention_chunk(q: Tensor, k: Tensor) -> int:
    """Samples (first axis) a chunk of :func:`attend` on the CPU holds.

    The logits, their softmax and its product with ``v`` of a chunk stay in
    the cache instead of going through memory three times; every sample is
    computed as in one call (the same kernels on the same matrices: bit for
    bit, forward and backward, measured at every stage shape of the paper
    and tiny models, batches 8 to 32, one and two threads). Maps whose
    logits fit in :data:`CHUNK_BYTES`, and sequences shorter than
    :data:`MIN_CHUNK_TOKENS`, are one chunk.

    Args:
        q (Tensor): ``(N, ..., L, d)`` queries.
        k (Tensor): ``(N, ..., L, d)`` keys.

    Returns:
        int: Samples a chunk, from 1 to ``N``.
    """
    if k.shape[-2] < MIN_CHUNK_TOKENS:
        return q.shape[0]
    per_sample = q[0, ..., 0].numel() * k.shape[-2] * q.element_size()
    return max(1, min(q.shape[0], CHUNK_BYTES // max(per_sample, 1)))


def _attend_cpu(q: Tensor, k: Tensor, v: Tensor, mask: Tensor,
                scale: float) -> Tensor:
    """:func:`attend` of one chunk with explicit matmuls."""
    key = k.transpose(-1, -2)
    logits = torch.matmul(q, key * scale if scale != 1 else key)
    # in place: the matmul's backward needs its inputs, not its output
    logits = logits.add_(mask.to(logits.dtype))
    return torch.matmul(logits.softmax(dim=-1), v)


def _sdpa(q: Tensor, k: Tensor, v: Tensor, mask: Tensor,
          scale: float) -> Tensor:
    """:func:`attend` through ``F.scaled_dot_product_attention``, with the
    leading axes folded to the 4-D layout its fused kernels take."""
    lead = q.shape[:-2]
    mask = mask.to(q.dtype)
    if len(lead) > 2:
        # (N, heads, H, L, d) with a (heads, 1, L, L) mask: fold (heads, H)
        mask = mask.expand(lead[1:] + mask.shape[-2:])
        mask = mask.reshape((-1, ) + mask.shape[-2:])
        q, k, v = (t.reshape((lead[0], -1) + t.shape[-2:]) for t in (q, k, v))
    out = F.scaled_dot_product_attention(
        q, k, v, attn_mask=mask, scale=scale)
    return out.reshape(lead + out.shape[-2:])


def conv_bn_eval(x: Tensor, conv: nn.Conv2d,
                 bn: nn.BatchNorm2d) -> Optional[Tensor]:
    """``bn(conv(x))`` of an eval-mode BatchNorm as one convolution.

    Args:
        x (Tensor): The input.
        conv (nn.Conv2d): The convolution.
        bn (nn.BatchNorm2d): The BatchNorm after it.

    Returns:
        Tensor | None: The output, or None when the BatchNorm normalizes
        with batch statistics (training, or no running statistics), which
        cannot be folded.
    """
    if bn.training or bn.running_mean is None or bn.running_var is None:
        return None
    scale = torch.rsqrt(bn.running_var + bn.eps)
    if bn.weight is not None:
        scale = scale * bn.weight
    bias = -bn.running_mean * scale
    if conv.bias is not None:
        bias = bias + conv.bias * scale
    if bn.bias is not None:
        bias = bias + bn.bias
    weight = conv.weight * scale.reshape(-1, 1, 1, 1)
    return conv._conv_forward(x, weight.to(conv.weight.dtype),
                              bias.to(conv.weight.dtype))
