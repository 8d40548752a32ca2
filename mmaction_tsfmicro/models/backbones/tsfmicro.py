"""TSFmicro backbone: temporal (retention) and spatial (ViT) branches.

Liu, Nan, Qian, Fu, "Temporal and Spatial Feature Fusion Framework for
Dynamic Micro Expression Recognition", arXiv:2505.16372.

The input is an onset/apex frame pair, ``(N, 3, T=2, H, W)`` normalized by
``ActionDataPreprocessor`` (``T`` index 0 is the onset, 1 the apex):

* the temporal ("how it moves") branch runs a small RMT on the difference
  ``apex - onset`` of the *normalized* frames (what the official code feeds
  it: ``(apex - onset) / std``);
* the spatial ("where") branch runs a small ViT on the normalized onset frame
  resized to the temporal branch's output grid.

``fusion`` chooses how the branches meet (the paper's ablation):

* ``'late'`` (the paper's parallel model): both branches run side by side;
  the backbone returns ``(temporal, spatial)`` and the neck fuses them;
* ``'early'``: a second conv stem encodes the onset frame, its map is added
  to the temporal stem's map and the retention stages run on the sum (no
  spatial transformer);
* ``'s2t'``: the spatial map is upsampled by transposed convolutions to the
  stem's resolution and added to the temporal stem's map;
* ``'t2s'``: the temporal map is added to the spatial tokens after the
  spatial blocks, before its final norm.

The last three return their one map as a tensor, as MMAction2's backbones
do. Every map is ``(N, C, h, w)``; the pair of ``'late'`` is a
:class:`BranchMaps`, which refuses in one line to be used as a tensor.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS
from .branch_maps import BranchMaps
from .fast_paths import inference_rewrites, plain_path
from .retention import RetentionStage, conv_stem
from .spatial_branch import SpatialTransformer

FUSIONS = ('late', 'early', 's2t', 't2s')

#: The paper's TSFmicro (the official ``ts_micro``).
_PAPER = dict(
    input_size=224,
    stem_channels=[32, 32, 64, 64],
    stem_strides=[2, 1, 1, 1],
    embed_dims=[64, 128, 256, 512],
    depths=[1, 1, 2, 1],
    num_heads=[2, 2, 2, 2],
    decay_init=[2, 2, 2, 2],
    decay_range=[4, 4, 6, 6],
    decomposed=[True, True, False, False],
    mlp_ratio=3.,
    drop_path_rate=0.1,
    spatial_depth=2,
    spatial_num_heads=4,
    spatial_mlp_ratio=4.,
    spatial_drop_path_rate=0.)


@MODELS.register_module()
class TSFmicro(BaseModule):
    """TSFmicro backbone.

    Args:
        arch (str | dict): A preset of :attr:`arch_zoo` (``'paper'``,
            ``'small'``, ``'tiny'``) or a dict with all of its keys. The
            keyword arguments below that default to ``None`` override the
            preset's value of the same name.
        fusion (str): ``'late'``, ``'early'``, ``'s2t'`` or ``'t2s'``.
            Defaults to ``'late'``.
        in_channels (int): Channels of each frame. Defaults to 3.
        input_size (int | tuple[int, int], optional): Frame size the
            spatial position embedding is made for (other sizes are
            served by resizing it).
        stem_channels (Sequence[int], optional): Output channels of each
            3x3 stem convolution; the last one must equal
            ``embed_dims[0]``.
        stem_strides (Sequence[int], optional): Stride of each stem conv.
        embed_dims (Sequence[int], optional): Channels of each retention
            stage; the last one is the output and the spatial branch width.
        depths (Sequence[int], optional): Blocks of each stage.
        num_heads (Sequence[int], optional): Heads of each stage.
        decay_init (Sequence[float], optional): Decay exponent of the first
            head of each stage.
        decay_range (Sequence[float], optional): Spread of the decay
            exponents over the heads of each stage.
        decomposed (Sequence[bool], optional): Whether each stage uses the
            decomposed (width, then height) attention.
        mlp_ratio (float, optional): FFN ratio of the retention blocks.
        drop_path_rate (float, optional): Stochastic depth of the last
            retention block, spread linearly from 0 over all blocks.
        spatial_depth (int, optional): Transformer blocks of the spatial
            branch.
        spatial_num_heads (int, optional): Heads of the spatial branch.
        spatial_mlp_ratio (float, optional): MLP ratio of the spatial
            branch.
        spatial_drop_path_rate (float, optional): Stochastic depth of the
            spatial branch.
        fast_ops (bool): Run the fast implementations of
            :mod:`.fast_paths` (exact in training, within 1e-4 in
            inference); False runs the plain ops, op for op (to compare or
            debug). Defaults to True.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to truncated-normal (std 0.02) linear layers and unit
            LayerNorms, as in the official code.
    """

    arch_zoo: Dict[str, dict] = {
        'paper': _PAPER,
        # the paper's layout at half the width
        'small': dict(_PAPER, stem_channels=[16, 16, 32, 32],
                      embed_dims=[32, 64, 128, 256]),
        # the CPU demo size: 112x112, a stride-4 stem, three stages
        'tiny': dict(
            _PAPER, input_size=112, stem_channels=[8, 16],
            stem_strides=[2, 2], embed_dims=[16, 32, 64], depths=[1, 1, 1],
            num_heads=[2, 2, 2], decay_init=[2, 2, 2],
            decay_range=[4, 4, 6], decomposed=[True, False, False],
            spatial_depth=1, spatial_num_heads=2, spatial_mlp_ratio=2.),
    }

    def __init__(self,
                 arch: Union[str, dict] = 'paper',
                 fusion: str = 'late',
                 in_channels: int = 3,
                 input_size: Optional[Union[int, Tuple[int, int]]] = None,
                 stem_channels: Optional[Sequence[int]] = None,
                 stem_strides: Optional[Sequence[int]] = None,
                 embed_dims: Optional[Sequence[int]] = None,
                 depths: Optional[Sequence[int]] = None,
                 num_heads: Optional[Sequence[int]] = None,
                 decay_init: Optional[Sequence[float]] = None,
                 decay_range: Optional[Sequence[float]] = None,
                 decomposed: Optional[Sequence[bool]] = None,
                 mlp_ratio: Optional[float] = None,
                 drop_path_rate: Optional[float] = None,
                 spatial_depth: Optional[int] = None,
                 spatial_num_heads: Optional[int] = None,
                 spatial_mlp_ratio: Optional[float] = None,
                 spatial_drop_path_rate: Optional[float] = None,
                 fast_ops: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='TruncNormal', layer='Linear', std=.02, bias=0.),
                dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
            ]
        super().__init__(init_cfg=init_cfg)
        self.fast_ops = bool(fast_ops)
        overrides = dict(
            input_size=input_size,
            stem_channels=stem_channels,
            stem_strides=stem_strides,
            embed_dims=embed_dims,
            depths=depths,
            num_heads=num_heads,
            decay_init=decay_init,
            decay_range=decay_range,
            decomposed=decomposed,
            mlp_ratio=mlp_ratio,
            drop_path_rate=drop_path_rate,
            spatial_depth=spatial_depth,
            spatial_num_heads=spatial_num_heads,
            spatial_mlp_ratio=spatial_mlp_ratio,
            spatial_drop_path_rate=spatial_drop_path_rate)
        cfg = self._resolve_arch(arch, overrides)
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {FUSIONS}, '
                             f'got {fusion!r}')
        self.fusion = fusion
        self.arch_settings = cfg
        size = cfg['input_size']
        self.input_size = (size, size) if isinstance(size, int) \
            else tuple(size)
        self.stem_strides = list(cfg['stem_strides'])
        dims = list(cfg['embed_dims'])
        self.out_channels = dims[-1]

        self.stem = conv_stem(in_channels, cfg['stem_channels'],
                              cfg['stem_strides'])
        if fusion == 'early':
            self.onset_stem = conv_stem(in_channels, cfg['stem_channels'],
                                        cfg['stem_strides'])

        depths = list(cfg['depths'])
        rates = [
            float(i) * cfg['drop_path_rate'] / max(sum(depths) - 1, 1)
            for i in range(sum(depths))
        ]
        self.stages = nn.ModuleList()
        for i, depth in enumerate(depths):
            first = sum(depths[:i])
            self.stages.append(
                RetentionStage(
                    embed_dims=dims[i],
                    depth=depth,
                    num_heads=cfg['num_heads'][i],
                    decay_init=cfg['decay_init'][i],
                    decay_range=cfg['decay_range'][i],
                    decomposed=bool(cfg['decomposed'][i]),
                    mlp_ratio=cfg['mlp_ratio'],
                    drop_paths=rates[first:first + depth],
                    out_dims=dims[i + 1] if i + 1 < len(dims) else None))

        if fusion != 'early':
            self.spatial = SpatialTransformer(
                grid_size=self.output_grid(self.input_size),
                in_channels=in_channels,
                embed_dims=dims[-1],
                depth=cfg['spatial_depth'],
                num_heads=cfg['spatial_num_heads'],
                mlp_ratio=cfg['spatial_mlp_ratio'],
                drop_path_rate=cfg['spatial_drop_path_rate'])
        if fusion == 's2t':
            self.s2t_upsample = nn.Sequential(*[
                nn.ConvTranspose2d(
                    dims[i], dims[i - 1], 4, stride=2, padding=1)
                for i in range(len(dims) - 1, 0, -1)
            ])

    def _resolve_arch(self, arch: Union[str, dict],
                      overrides: dict) -> dict:
        """Merge a preset with explicit overrides and check it."""
        if isinstance(arch, str):
            if arch not in self.arch_zoo:
                raise ValueError(f'unknown arch {arch!r}; choose one of '
                                 f'{sorted(self.arch_zoo)} or give a dict')
            cfg = copy.deepcopy(self.arch_zoo[arch])
        elif isinstance(arch, dict):
            missing = set(self.arch_zoo['paper']) - set(arch) - {
                k
                for k, v in overrides.items() if v is not None
            }
            if missing:
                raise ValueError(f'arch dict lacks keys {sorted(missing)}')
            cfg = copy.deepcopy(arch)
        else:
            raise TypeError(f'arch must be a str or a dict, got {type(arch)}')
        cfg.update({k: v for k, v in overrides.items() if v is not None})

        n = len(cfg['embed_dims'])
        for key in ('depths', 'num_heads', 'decay_init', 'decay_range',
                    'decomposed'):
            if len(cfg[key]) != n:
                raise ValueError(f'{key} has {len(cfg[key])} entries for '
                                 f'{n} stages (embed_dims)')
        if cfg['stem_channels'][-1] != cfg['embed_dims'][0]:
            raise ValueError(
                f'stem_channels[-1] ({cfg["stem_channels"][-1]}) must '
                f'equal embed_dims[0] ({cfg["embed_dims"][0]})')
        return cfg

    def output_grid(self, size: Sequence[int]) -> Tuple[int, int]:
        """Grid ``(h, w)`` of the output maps for a ``(H, W)`` input.

        Each stride-``s`` 3x3 convolution (padding 1) maps ``n`` to
        ``(n - 1) // s + 1``; the stages halve the map between them.
        """
        grid = []
        for n in size:
            for stride in self.stem_strides:
                n = (n - 1) // stride + 1
            for _ in range(len(self.stages) - 1):
                n = (n - 1) // 2 + 1
            grid.append(n)
        return tuple(grid)

    def _retention(self, x: Tensor) -> Tensor:
        """Retention stages: ``(N, C0, H, W) -> (N, C, h, w)``."""
        x = x.permute(0, 2, 3, 1)
        for stage in self.stages:
            x = stage(x)
        return x.permute(0, 3, 1, 2).contiguous()

    def forward(self, x: Tensor) -> Union[BranchMaps, Tensor]:
        """Encode a frame pair.

        Args:
            x (Tensor): ``(N, C, 2, H, W)``; ``x[:, :, 0]`` is the onset,
                ``x[:, :, 1]`` the apex frame, both normalized.

        Returns:
            BranchMaps | Tensor: ``(temporal, spatial)`` for
            ``fusion='late'``, else the one map; each map is
            ``(N, out_channels, h, w)``.
        """
        if not self.fast_ops:
            with plain_path():
                maps = self._maps(x)
        else:
            maps = self._maps(x)
        return BranchMaps(maps) if len(maps) > 1 else maps[0]

    def _maps(self, x: Tensor) -> Tuple[Tensor, ...]:
        """The maps of :meth:`forward`, as a plain tuple."""
        if x.dim() != 5 or x.shape[2] != 2:
            raise ValueError('TSFmicro expects (N, C, T=2, H, W) onset/apex '
                             f'pairs, got shape {tuple(x.shape)}')
        onset, apex = x[:, :, 0], x[:, :, 1]
        motion = apex - onset
        if inference_rewrites(self):
            # channels-last convolutions (other rounding: inference only);
            # the stem's output is then the (N, H, W, C) layout of the stages
            motion = motion.contiguous(memory_format=torch.channels_last)
            onset = onset.contiguous(memory_format=torch.channels_last)
        grid = self.output_grid(x.shape[-2:])

        if self.fusion == 'late':
            return self._retention(self.stem(motion)), \
                self.spatial(onset, grid)
        if self.fusion == 'early':
            return (self._retention(
                self.stem(motion) + self.onset_stem(onset)), )
        if self.fusion == 's2t':
            stem = self.stem(motion)
            where = self.s2t_upsample(self.spatial(onset, grid))
            if where.shape[-2:] != stem.shape[-2:]:
                where = F.interpolate(
                    where,
                    size=stem.shape[-2:],
                    mode='bilinear',
                    align_corners=False)
            return (self._retention(stem + where), )
        # 't2s'
        motion_map = self._retention(self.stem(motion))
        tokens = motion_map.flatten(2).transpose(1, 2)
        return (self.spatial(onset, grid, extra_tokens=tokens), )
