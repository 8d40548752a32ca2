"""Fusion of the temporal and spatial maps of the TSFmicro backbone."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import OptSampleList

MODES = ('sum', 'concat', 'gated')


@MODELS.register_module()
class TimeSpaceFusion(BaseModule):
    """Fuse the ``(temporal, spatial)`` maps into one 3-D feature map.

    The paper's parallel ("T-S late") model sums the two maps element-wise.
    ``'concat'`` concatenates them and projects back to ``in_channels`` with
    a 1x1 convolution; ``'gated'`` mixes them with a learned per-pixel,
    per-channel sigmoid gate ``g * temporal + (1 - g) * spatial``. A single
    map (the early/S-to-T/T-to-S backbones' tensor) passes through.

    The output gets a unit time axis, ``(N, C, 1, h, w)``, the layout of
    MMAction2's 3-D recognizers, so their heads (e.g. ``I3DHead``) work too.
    It leaves through the identity layer ``fused``, the layer to give
    MMAction2's Grad-CAM (``tools/visualizations/vis_cam.py
    --target-layer-name neck/fused``), which needs a 5-D map.

    Args:
        in_channels (int): Channels ``C`` of each map. Defaults to 512.
        mode (str): ``'sum'``, ``'concat'`` or ``'gated'``.
            Defaults to ``'sum'``.
        init_cfg (dict | list[dict], optional): Initialization config.
    """

    def __init__(self,
                 in_channels: int = 512,
                 mode: str = 'sum',
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        self.in_channels = in_channels
        self.mode = mode
        if mode in ('concat', 'gated'):
            self.proj = nn.Conv2d(2 * in_channels, in_channels, 1)
        # no weights: a named point for forward/backward hooks (Grad-CAM)
        self.fused = nn.Identity()

    def forward(self,
                x: Union[Tensor, Sequence[Tensor]],
                data_samples: OptSampleList = None) -> Tuple[Tensor, dict]:
        """Fuse the backbone's maps.

        Args:
            x (Tensor | Sequence[Tensor]): ``(temporal, spatial)`` maps or
                a single map (a tensor or a 1-tuple), each ``(N, C, h, w)``.
            data_samples (list[ActionDataSample], optional): Unused; part of
                the Recognizer3D neck interface.

        Returns:
            tuple[Tensor, dict]: the fused ``(N, C, 1, h, w)`` map and an
            empty dict of auxiliary losses.
        """
        if isinstance(x, Tensor):
            x = (x, )
        if len(x) == 1:
            fused = x[0]
        elif len(x) == 2:
            temporal, spatial = x
            if temporal.shape != spatial.shape:
                raise ValueError(
                    'TimeSpaceFusion: temporal and spatial maps differ in '
                    f'shape: {tuple(temporal.shape)} vs '
                    f'{tuple(spatial.shape)}')
            if self.mode == 'sum':
                fused = temporal + spatial
            elif self.mode == 'concat':
                fused = self.proj(torch.cat((temporal, spatial), dim=1))
            else:
                gate = torch.sigmoid(
                    self.proj(torch.cat((temporal, spatial), dim=1)))
                fused = gate * temporal + (1 - gate) * spatial
        else:
            raise ValueError('TimeSpaceFusion takes one or two maps, '
                             f'got {len(x)}')
        if fused.dim() != 4:
            raise ValueError('TimeSpaceFusion expects (N, C, h, w) maps, '
                             f'got shape {tuple(fused.shape)}')
        return self.fused(fused.unsqueeze(2)), {}
