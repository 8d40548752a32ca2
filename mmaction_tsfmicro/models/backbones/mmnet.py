"""MMNet backbone: a motion branch of channel-attention residual blocks on
the onset-to-apex difference, plus a position embedding of the onset frame.

Li, Sui, Zhu, Zhao, "MMNet: Muscle motion-guided network for
micro-expression recognition", IJCAI 2022 (code ``muse1998/MMNet``).

The input is an onset/apex frame pair, ``(N, 3, T=2, H, W)`` normalized by
``ActionDataPreprocessor`` (``T`` index 0 is the onset, 1 the apex), as for
:class:`~mmaction_tsfmicro.models.backbones.tsfmicro.TSFmicro`:

* the main ("motion") branch: a stride-2 3x3 convolution of ``apex - onset``
  (``stem_channels``), a 3x3 convolution to ``channels[0]``, and one stage
  of :class:`CABlock` per entry of ``channels`` (the first at stride 1, the
  others at stride 2). Each block's output is weighted by a spatial
  attention map made from its channel mean and maximum, multiplied by the
  previous stage's map, max-pooled to the block's resolution (the authors'
  "muscle motion" prior);
* the position calibration ("PC") sub-branch: a ViT with 1x1 patches on the
  onset frame resized to the motion branch's output grid (bilinear with
  antialiasing, as torchvision's ``Resize`` on tensors), the plugin's
  :class:`~.spatial_branch.SpatialTransformer`, which is the same module;
* the two ``(N, channels[-1], h, w)`` maps are added: the backbone returns
  the sum, which :class:`~mmaction_tsfmicro.models.heads.MMNetHead`
  flattens into its linear classifier.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS
from .spatial_branch import SpatialTransformer


class CABlock(nn.Module):
    """A residual block weighted by a spatial attention map (the authors'
    "CA block").

    ``relu(bn(conv1x1(relu(bn(conv3x3(x))))) + shortcut(x))``, then a map
    ``sigmoid(bn(conv1x1([mean_c, max_c])))`` of one channel, multiplied by
    ``prior`` (the previous block's map at this resolution) when given,
    weights every channel.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the 3x3 convolution (and the shortcut).
        groups (int): Groups of both convolutions.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 groups: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               groups=groups, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 1, groups=groups,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.attn = nn.Sequential(
            nn.Conv2d(2, 1, 1, bias=False), nn.BatchNorm2d(1), nn.Sigmoid())
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor,
                prior: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """(N, C_in, H, W) -> the weighted (N, C_out, H', W') map and its
        (N, 1, H', W') attention map."""
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = F.relu(self.bn2(self.conv2(out)) + identity, inplace=True)
        attn = self.attn(
            torch.cat((out.mean(dim=1, keepdim=True),
                       out.amax(dim=1, keepdim=True)), dim=1))
        if prior is not None:
            attn = prior * attn
        return out * attn, attn


#: The authors' MMNet (``CASME2_5.py`` with ``CA_block.py`` and
#: ``PC_module.py``): 224x224 pairs, 14x14 output grid.
_PAPER = dict(
    input_size=224,
    stem_channels=180,
    channels=[128, 128, 256, 512],
    depths=[1, 1, 1, 1],
    spatial_depth=2,
    spatial_num_heads=4,
    spatial_mlp_ratio=4.)


@MODELS.register_module()
class MMNet(BaseModule):
    """MMNet backbone.

    Args:
        arch (str | dict): A preset of :attr:`arch_zoo` (``'paper'``,
            ``'tiny'``) or a dict with all of its keys. The keyword
            arguments below that default to None override the preset.
        in_channels (int): Channels of each frame. Defaults to 3.
        input_size (int, optional): Frame size; the output grid is
            ``input_size / 2 ** len(channels)``, which the position
            embedding is made for.
        stem_channels (int, optional): Channels of the stride-2
            convolution of the difference image (the authors' 180).
        channels (Sequence[int], optional): Channels of each stage; the
            last is the output and the PC branch's width.
        depths (Sequence[int], optional): Blocks of each stage. Blocks after
            a stage's first use ``groups`` (the authors' ``_make_layer``).
        groups (int): Convolution groups of the blocks after a stage's first.
            Defaults to 4.
        spatial_depth (int, optional): Transformer blocks of the PC branch.
        spatial_num_heads (int, optional): Heads of the PC branch.
        spatial_mlp_ratio (float, optional): MLP ratio of the PC branch.
        init_cfg (dict | list[dict], optional): Defaults to the authors':
            Kaiming-normal (fan out) convolutions, unit BatchNorms,
            truncated-normal (std 0.02) linear layers, unit LayerNorms.
    """

    arch_zoo: Dict[str, dict] = {
        'paper': _PAPER,
        # the CPU demo size: 112x112 pairs, a 7x7 grid, a quarter the width
        'tiny': dict(input_size=112, stem_channels=32,
                     channels=[32, 32, 64, 64], depths=[1, 1, 1, 1],
                     spatial_depth=1, spatial_num_heads=2,
                     spatial_mlp_ratio=2.),
    }

    def __init__(self,
                 arch: Union[str, dict] = 'paper',
                 in_channels: int = 3,
                 input_size: Optional[int] = None,
                 stem_channels: Optional[int] = None,
                 channels: Optional[Sequence[int]] = None,
                 depths: Optional[Sequence[int]] = None,
                 groups: int = 4,
                 spatial_depth: Optional[int] = None,
                 spatial_num_heads: Optional[int] = None,
                 spatial_mlp_ratio: Optional[float] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                     nonlinearity='relu', distribution='normal'),
                dict(type='Constant', layer=['BatchNorm2d', 'LayerNorm'],
                     val=1., bias=0.),
                dict(type='TruncNormal', layer='Linear', std=.02, bias=0.)
            ]
        super().__init__(init_cfg=init_cfg)
        cfg = self._arch(arch)
        overrides = dict(
            input_size=input_size, stem_channels=stem_channels,
            channels=channels, depths=depths, spatial_depth=spatial_depth,
            spatial_num_heads=spatial_num_heads,
            spatial_mlp_ratio=spatial_mlp_ratio)
        cfg.update({k: v for k, v in overrides.items() if v is not None})
        if len(cfg['depths']) != len(cfg['channels']):
            raise ValueError(f"depths has {len(cfg['depths'])} entries for "
                             f"{len(cfg['channels'])} stages")
        stride = 2**len(cfg['channels'])
        if cfg['input_size'] % stride:
            raise ValueError(f"input_size {cfg['input_size']} is not a "
                             f'multiple of {stride} (2 ** stages)')
        self.arch_settings = cfg
        self.out_channels = cfg['channels'][-1]
        self.grid_size = (cfg['input_size'] // stride, ) * 2
        self.motion_stem = nn.Sequential(
            ConvModule(in_channels, cfg['stem_channels'], 3, stride=2,
                       padding=1, bias=False, norm_cfg=dict(type='BN')),
            ConvModule(cfg['stem_channels'], cfg['channels'][0], 3,
                       padding=1, bias=False, norm_cfg=dict(type='BN')))
        self.stages = nn.ModuleList()
        width = cfg['channels'][0]
        for i, (out, depth) in enumerate(zip(cfg['channels'],
                                             cfg['depths'])):
            blocks = [CABlock(width, out, stride=1 if i == 0 else 2)]
            blocks += [CABlock(out, out, groups=groups)
                       for _ in range(depth - 1)]
            self.stages.append(nn.ModuleList(blocks))
            width = out
        self.position = SpatialTransformer(
            self.grid_size, in_channels, self.out_channels,
            cfg['spatial_depth'], cfg['spatial_num_heads'],
            cfg['spatial_mlp_ratio'])

    def _arch(self, arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            if arch not in self.arch_zoo:
                raise ValueError(f'unknown arch {arch!r}; choose one of '
                                 f'{sorted(self.arch_zoo)}')
            return dict(self.arch_zoo[arch])
        if isinstance(arch, dict):
            missing = set(_PAPER) - set(arch)
            if missing:
                raise ValueError(f'arch dict lacks keys {sorted(missing)}')
            return dict(arch)
        raise TypeError(f'arch must be a str or a dict, got {type(arch)}')

    def init_weights(self) -> None:
        """The init_cfg, then the PC branch's position embedding."""
        super().init_weights()
        self.position.init_weights()

    def motion(self, motion: Tensor) -> Tuple[Tensor, Tensor]:
        """The main branch on a difference image: its ``(N, C, h, w)`` map
        and the first stage's ``(N, 1, H / 2, W / 2)`` attention map."""
        x = self.motion_stem(motion)
        prior, first = None, None
        for i, stage in enumerate(self.stages):
            if prior is not None:
                prior = F.max_pool2d(prior, 3, 2, 1)
            for block in stage:
                x, prior = block(x, prior)
            if i == 0:
                first = prior
        return x, first

    def forward(self, x: Tensor) -> Tensor:
        """Encode a frame pair.

        Args:
            x (Tensor): ``(N, C, 2, H, W)``; ``x[:, :, 0]`` is the onset,
                ``x[:, :, 1]`` the apex frame, both normalized.

        Returns:
            Tensor: ``(N, out_channels, h, w)``, the motion map plus the
            onset's position embedding.
        """
        if x.dim() != 5 or x.shape[2] != 2:
            raise ValueError('MMNet expects (N, C, T=2, H, W) onset/apex '
                             f'pairs, got shape {tuple(x.shape)}')
        onset, apex = x[:, :, 0], x[:, :, 1]
        motion, _ = self.motion(apex - onset)
        return motion + self.position(onset, tuple(motion.shape[-2:]))
