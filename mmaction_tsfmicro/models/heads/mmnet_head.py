"""Classification head of MMNet."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS


@MODELS.register_module()
class MMNetHead(BaseHead):
    """The whole map flattened into one linear classifier (the authors'
    ``fc`` of ``CA_block.ResNet``: every position keeps its own weights,
    so the position embedding the backbone added is not averaged away).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels ``C`` of the backbone's map.
        grid_size (int): Side ``h = w`` of the map (14 for the authors'
            224x224 input, 7 at 112x112).
        dropout_ratio (float): Dropout before the classifier. Defaults to 0
            (the authors define one of 0.1 but do not apply it).
        **kwargs: ``loss_cls``, ``average_clips`` ... of
            :class:`mmaction.models.heads.BaseHead`.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 grid_size: int,
                 dropout_ratio: float = 0.,
                 **kwargs) -> None:
        kwargs.setdefault(
            'init_cfg', dict(type='TruncNormal', layer='Linear', std=.02,
                             bias=0.))
        super().__init__(num_classes, in_channels, **kwargs)
        self.grid_size = grid_size
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 \
            else nn.Identity()
        self.fc_cls = nn.Linear(in_channels * grid_size**2, num_classes)

    def forward(self, x: Tensor, num_segs: Optional[int] = None,
                **kwargs) -> Tensor:
        """(N, C, h, w) -> (N, num_classes) class scores."""
        if tuple(x.shape[1:]) != (self.in_channels, self.grid_size,
                                  self.grid_size):
            raise ValueError(
                f'MMNetHead expects (N, {self.in_channels}, {self.grid_size}'
                f', {self.grid_size}) maps, got {tuple(x.shape)}')
        return self.fc_cls(self.dropout(x.flatten(1)))
