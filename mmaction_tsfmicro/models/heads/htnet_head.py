"""Classification head of HTNet."""
from typing import Optional

from torch import Tensor
import torch.nn as nn

from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from ..backbones.htnet import ChannelLayerNorm


@MODELS.register_module()
class HTNetHead(BaseHead):
    """Channel layer norm, mean over the positions, a linear classifier:
    the classifier of HTNet's authors' code (``mlp_head``).

    Takes the backbone's (N * num_segs, C, h, w) map (``Recognizer2D``);
    the segments' features are averaged before the classifier (one segment
    for HTNet's single flow image).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels ``C`` of the map.
        **kwargs: ``loss_cls``, ``average_clips`` ... of
            :class:`mmaction.models.heads.BaseHead`.
    """

    def __init__(self, num_classes: int, in_channels: int,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.norm = ChannelLayerNorm(in_channels)
        self.fc_cls = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tensor, num_segs: Optional[int] = None,
                **kwargs) -> Tensor:
        """(N * num_segs, C, h, w) -> (N, num_classes) class scores."""
        x = self.norm(x).mean(dim=(2, 3))
        if num_segs:
            x = x.reshape(-1, num_segs, x.shape[-1]).mean(dim=1)
        return self.fc_cls(x)
