"""TSFmicroSeq: a per-frame encoder and a causal retention over a whole clip.

TSFmicro sees two frames (onset, apex). TSFmicroSeq sees every sampled frame
from the onset on, ``(N, 3, T, H, W)`` normalized by
``ActionDataPreprocessor`` (``T`` index 0 is the onset):

1. each frame is turned into the model's input (``input_mode``): the frame
   itself (``'frames'``), its difference to the clip's first frame
   (``'diff_first'``, the default: the motion since the onset, taken at full
   resolution before any striding, as TSFmicro takes ``apex - onset``), or
   to the previous frame (``'diff_prev'``, for long recordings whose first
   frame is no reference);
2. a small CNN encodes each frame: 3x3 convolutions with BatchNorm and GELU
   (:func:`~.retention.conv_stem`), an average pool to a ``grid x grid``
   map and a linear projection of that map to ``embed_dims`` channels. The
   small grid keeps *where* the face moves, which a global pool would lose;
3. a :class:`~mmaction_tsfmicro.models.common.TemporalRetentionStack` runs
   causally over the ``T`` frame features.

Its parallel, chunkwise and recurrent forms compute one function, so the
model trains on whole clips in parallel and runs frame by frame on a live
video (:meth:`TSFmicroSeq.step`) with a state of constant size.
"""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS
from ..common import TemporalRetentionStack
from ..common.temporal_retention import check_form
from .retention import conv_stem

INPUT_MODES = ('frames', 'diff_first', 'diff_prev')
POOLINGS = ('mean', 'last', 'none')


@MODELS.register_module()
class TSFmicroSeq(BaseModule):
    """Per-frame CNN features and a causal multi-scale retention over time.

    Output of :meth:`forward` (for the recognizer's head), with ``C =
    embed_dims``:

    * ``pooling='mean'`` (default): ``(N, C, 1, 1, 1)``, the mean over time
      of the per-frame features. Every frame gets a direct gradient, and
      it is causal as a running mean: the streaming form keeps the sum in
      its state (:meth:`clip_feature`), so it stays exact;
    * ``pooling='last'``: ``(N, C, 1, 1, 1)``, the last frame's feature
      (causal; it has seen the whole clip through the retention);
    * ``pooling='none'``: ``(N, C, T, 1, 1)``, every frame, for heads that
      pool over time themselves (``I3DHead`` averages it).

    The ``(N, C, t, 1, 1)`` layout is the one of MMAction2's 3-D heads
    (``I3DHead`` and the plugin's ``TSFmicroHead`` take it).

    Args:
        in_channels (int): Channels of each frame. Defaults to 3.
        input_mode (str): ``'frames'``, ``'diff_first'`` or ``'diff_prev'``.
            Defaults to ``'diff_first'``.
        stem_channels (Sequence[int]): Output channels of each 3x3
            convolution of the frame encoder. Defaults to (8, 16, 32).
        stem_strides (Sequence[int]): Stride of each. Defaults to (2, 2, 2).
        grid_size (int): Side of the pooled map that is projected to the
            frame feature. Defaults to 7.
        embed_dims (int): Channels ``C`` of the frame features and the
            retention. Defaults to 64.
        depth (int): Retention blocks. Defaults to 2.
        num_heads (int): Retention heads (one decay each). Defaults to 4.
        ffn_ratio (float): FFN ratio of the blocks. Defaults to 2.
        drop_path_rate (float): Stochastic depth of the last block.
            Defaults to 0.
        pooling (str): ``'mean'``, ``'last'`` or ``'none'`` (above).
        chunk_size (int, optional): Use the chunkwise form with chunks of
            this many frames in :meth:`forward` (the same function in less
            memory for long clips). Defaults to None (parallel form).
        retention (dict, optional): More arguments of the retention
            (``value_factor``, ``gammas``, ``decay_start``, ``decay_step``,
            ``qkv_bias``, ``norm_eps``).
        init_cfg (dict | list[dict], optional): Initialization config;
            defaults to truncated-normal (std 0.02) linear layers and unit
            LayerNorms.
    """

    def __init__(self,
                 in_channels: int = 3,
                 input_mode: str = 'diff_first',
                 stem_channels: Sequence[int] = (8, 16, 32),
                 stem_strides: Sequence[int] = (2, 2, 2),
                 grid_size: int = 7,
                 embed_dims: int = 64,
                 depth: int = 2,
                 num_heads: int = 4,
                 ffn_ratio: float = 2.,
                 drop_path_rate: float = 0.,
                 pooling: str = 'mean',
                 chunk_size: Optional[int] = None,
                 retention: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='TruncNormal', layer='Linear', std=.02, bias=0.),
                dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
            ]
        super().__init__(init_cfg=init_cfg)
        if input_mode not in INPUT_MODES:
            raise ValueError(f'input_mode must be one of {INPUT_MODES}, '
                             f'got {input_mode!r}')
        if pooling not in POOLINGS:
            raise ValueError(f'pooling must be one of {POOLINGS}, '
                             f'got {pooling!r}')
        if chunk_size is not None:
            check_form('chunkwise', chunk_size)
        self.in_channels = in_channels
        self.input_mode = input_mode
        self.pooling = pooling
        self.chunk_size = chunk_size
        self.embed_dims = embed_dims
        self.out_channels = embed_dims
        self.stem = nn.Sequential(
            conv_stem(in_channels, list(stem_channels), list(stem_strides)),
            nn.GELU(), nn.AdaptiveAvgPool2d(grid_size), nn.Flatten(1))
        self.proj = nn.Linear(stem_channels[-1] * grid_size**2, embed_dims)
        self.temporal = TemporalRetentionStack(
            embed_dims,
            depth,
            num_heads,
            ffn_ratio=ffn_ratio,
            drop_path_rate=drop_path_rate,
            **(retention or {}))

    # ------------------------------------------------------------------
    def encode_frames(self, frames: Tensor) -> Tensor:
        """The frame encoder: ``(M, C_in, H, W) -> (M, embed_dims)``."""
        return self.proj(self.stem(frames))

    def _model_inputs(self, x: Tensor) -> Tensor:
        """``(N, C_in, T, H, W)`` clip -> ``(N, T, C_in, H, W)`` inputs of
        the frame encoder (frames or differences)."""
        frames = x.transpose(1, 2)
        if self.input_mode == 'diff_first':
            return frames - frames[:, :1]
        if self.input_mode == 'diff_prev':
            return frames - torch.cat((frames[:, :1], frames[:, :-1]), 1)
        return frames

    def _check_clip(self, x: Tensor) -> None:
        if x.dim() != 5 or x.shape[1] != self.in_channels or not x.shape[2]:
            raise ValueError(
                f'TSFmicroSeq expects (N, {self.in_channels}, T >= 1, H, W) '
                f'clips, onset first, got shape {tuple(x.shape)}')

    def forward_frames(self,
                       x: Tensor,
                       form: Optional[str] = None,
                       chunk_size: Optional[int] = None) -> Tensor:
        """Per-frame features of a clip.

        Args:
            x (Tensor): ``(N, C_in, T, H, W)``, normalized, onset first.
            form (str, optional): ``'parallel'``, ``'chunkwise'`` or
                ``'recurrent'``; defaults to the configured one (chunkwise
                if ``chunk_size`` was given, else parallel).
            chunk_size (int, optional): Chunk size of the chunkwise form;
                defaults to the configured one.

        Returns:
            Tensor: ``(N, T, embed_dims)``; frame ``t`` depends on frames
            ``0 .. t`` only.
        """
        self._check_clip(x)
        chunk_size = chunk_size or self.chunk_size
        if form is None:
            form = 'parallel' if chunk_size is None else 'chunkwise'
        n, t = x.shape[0], x.shape[2]
        inputs = self._model_inputs(x).flatten(0, 1)
        feats = self.encode_frames(inputs).view(n, t, -1)
        return self.temporal(feats, None, form, chunk_size)[0]

    def pool(self, feats: Tensor) -> Tensor:
        """``(N, T, C)`` frame features -> the head's input (see the class
        docstring)."""
        if self.pooling == 'mean':
            feats = feats.mean(dim=1, keepdim=True)
        elif self.pooling == 'last':
            feats = feats[:, -1:]
        return feats.transpose(1, 2)[..., None, None]

    def forward(self, x: Tensor) -> Tensor:
        """Encode clips for the recognizer's head.

        Args:
            x (Tensor): ``(N, C_in, T, H, W)``, normalized, onset first.

        Returns:
            Tensor: ``(N, embed_dims, 1, 1, 1)`` (``'mean'``, ``'last'``) or
            ``(N, embed_dims, T, 1, 1)`` (``'none'``).
        """
        return self.pool(self.forward_frames(x))

    # ------------------------------------------------------------------
    def init_state(self,
                   batch_size: int,
                   device: Optional[torch.device] = None,
                   dtype: Optional[torch.dtype] = None) -> Dict:
        """The state before the first frame of ``batch_size`` streams.

        It holds the retention state of every block, the reference frame
        of ``'diff_first'`` (the first frame) or ``'diff_prev'`` (the
        previous one), set by the first :meth:`step`, the number of frames
        seen and the sum and last of the frame features (for
        :meth:`clip_feature`). Its size does not change after the first
        frame.
        """
        param = self.proj.weight
        device = device or param.device
        dtype = dtype or param.dtype
        zeros = torch.zeros(batch_size, self.embed_dims, device=device,
                            dtype=dtype)
        return dict(
            temporal=self.temporal.init_state(batch_size, device, dtype),
            reference=None,
            frames=0,
            feature_sum=zeros,
            last=zeros)

    def step(self, frame: Tensor, state: Dict):
        """The recurrent form: the feature of the next frame of a stream.

        Args:
            frame (Tensor): ``(N, C_in, H, W)``, normalized as the clips
                of :meth:`forward` are.
            state (dict): From :meth:`init_state` or the previous step.

        Returns:
            tuple[Tensor, dict]: ``(N, embed_dims)``, equal to
            ``forward_frames(clip)[:, t]`` for the ``t``-th frame of the
            stream (``t = state['frames']``), and the next state (a new
            dict).
        """
        if frame.dim() != 4 or frame.shape[1] != self.in_channels:
            raise ValueError(
                f'TSFmicroSeq.step expects (N, {self.in_channels}, H, W) '
                f'frames, got shape {tuple(frame.shape)}')
        reference = state['reference']
        if reference is None:
            reference = frame
        if self.input_mode == 'frames':
            inputs, reference = frame, None
        else:
            inputs = frame - reference
            if self.input_mode == 'diff_prev':
                reference = frame
        feat, temporal = self.temporal.step(
            self.encode_frames(inputs), state['temporal'])
        return feat, dict(
            temporal=temporal,
            reference=reference,
            frames=state['frames'] + 1,
            feature_sum=state['feature_sum'] + feat,
            last=feat)

    def clip_feature(self, state: Dict) -> Tensor:
        """The head's input for the frames streamed so far: what
        :meth:`forward` gives for the clip of those frames.

        Args:
            state (dict): A state after at least one :meth:`step`.

        Returns:
            Tensor: ``(N, embed_dims, 1, 1, 1)``. (With ``pooling='none'``
            the per-frame features are the stream of :meth:`step` itself.)
        """
        if not state['frames']:
            raise ValueError('clip_feature needs a state after at least '
                             'one step')
        if self.pooling == 'none':
            raise ValueError("pooling='none' keeps every frame: collect "
                             "step's features instead")
        feat = state['feature_sum'] / state['frames'] \
            if self.pooling == 'mean' else state['last']
        return feat[:, :, None, None, None]
