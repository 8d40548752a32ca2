"""Classification head of TSFmicro."""
from typing import Optional, Union

import torch.nn as nn
from torch import Tensor

from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS


@MODELS.register_module()
class TSFmicroHead(BaseHead):
    """Token-wise projection, BatchNorm, Swish, token average, classifier.

    Every position of the fused map is a token: ``Linear(C, hidden)``,
    BatchNorm over the ``hidden`` channels (statistics over the batch and
    the tokens), Swish, mean over the tokens, optional dropout and
    ``Linear(hidden, num_classes)``.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels ``C`` of the input map.
        hidden_channels (int): Width of the token projection.
            Defaults to 1024.
        dropout_ratio (float): Dropout before the classifier (the paper
            uses none). Defaults to 0.
        init_cfg (dict | list[dict], optional): Initialization config;
            defaults to truncated-normal (std 0.02) linear layers with zero
            bias, as in the official code.
        **kwargs: ``loss_cls``, ``label_smooth_eps``, ``topk``,
            ``average_clips`` ... of :class:`mmaction.models.heads.BaseHead`.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 hidden_channels: int = 1024,
                 dropout_ratio: float = 0.,
                 init_cfg: Optional[Union[dict, list]] = None,
                 **kwargs) -> None:
        if init_cfg is None:
            init_cfg = dict(
                type='TruncNormal', layer='Linear', std=.02, bias=0.)
        super().__init__(num_classes, in_channels, init_cfg=init_cfg,
                         **kwargs)
        self.hidden_channels = hidden_channels
        self.fc_proj = nn.Linear(in_channels, hidden_channels)
        self.bn = nn.BatchNorm1d(hidden_channels)
        self.act = nn.SiLU()
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 \
            else nn.Identity()
        self.fc_cls = nn.Linear(hidden_channels, num_classes)

    def forward(self, x: Tensor, **kwargs) -> Tensor:
        """Class scores of a feature map.

        Args:
            x (Tensor): ``(N, C, 1, h, w)`` or ``(N, C, h, w)`` (any number
                of trailing positional axes).

        Returns:
            Tensor: ``(N, num_classes)`` class scores.
        """
        if x.dim() < 3 or x.shape[1] != self.in_channels:
            raise ValueError(f'TSFmicroHead expects (N, {self.in_channels}, '
                             f'..., h, w), got shape {tuple(x.shape)}')
        tokens = x.flatten(2).transpose(1, 2)  # (N, L, C)
        hidden = self.fc_proj(tokens).transpose(1, 2)  # (N, hidden, L)
        hidden = self.act(self.bn(hidden)).mean(dim=2)
        return self.fc_cls(self.dropout(hidden))
