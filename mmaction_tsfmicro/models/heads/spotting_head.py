"""Per-frame spotting and class heads on per-frame features."""
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor


def _mlp(in_channels: int, hidden: int, out: int,
         dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.LayerNorm(in_channels),
                         nn.Linear(in_channels, hidden), nn.GELU(),
                         nn.Dropout(dropout) if dropout > 0 else
                         nn.Identity(), nn.Linear(hidden, out))


@MODELS.register_module()
class SpottingHead(BaseModule):
    """Two per-frame heads: micro-expression or not, and its class.

    Each frame's feature ``(C,)`` goes through two small MLPs (LayerNorm,
    Linear, GELU, Linear): one gives the spotting logit (the frame lies in
    a micro-expression), one the class logits. A frame's outputs depend on
    its feature alone, so the head is causal whenever the features are, and
    the same on a whole clip and on one streamed frame.

    Losses: binary cross-entropy of the spotting logits against the frames'
    0/1 labels (``pos_weight`` weighs the rarer expression frames), and
    cross-entropy of the class logits on the frames inside expressions
    (label ``-1`` elsewhere is ignored), times ``loss_cls_weight``.

    Args:
        num_classes (int): Classes of the expressions.
        in_channels (int): Channels ``C`` of the frame features.
        hidden_channels (int): Width of the MLPs. Defaults to 64.
        dropout_ratio (float): Dropout inside the MLPs. Defaults to 0.
        pos_weight (float): Weight of the positive frames in the spotting
            loss. Defaults to 4.
        loss_cls_weight (float): Weight of the class loss. Defaults to 0.5.
        init_cfg (dict | list[dict], optional): Initialization config;
            defaults to truncated-normal (std 0.02) linear layers.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 hidden_channels: int = 64,
                 dropout_ratio: float = 0.,
                 pos_weight: float = 4.,
                 loss_cls_weight: float = 0.5,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        if init_cfg is None:
            init_cfg = dict(type='TruncNormal', layer='Linear', std=.02,
                            bias=0.)
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.pos_weight = float(pos_weight)
        self.loss_cls_weight = float(loss_cls_weight)
        self.spot = _mlp(in_channels, hidden_channels, 1, dropout_ratio)
        self.cls = _mlp(in_channels, hidden_channels, num_classes,
                        dropout_ratio)

    def forward(self, feats: Tensor) -> Tuple[Tensor, Tensor]:
        """Logits of every frame.

        Args:
            feats (Tensor): ``(N, T, C)`` per-frame features (or ``(N, C)``
                for one frame).

        Returns:
            tuple[Tensor, Tensor]: Spotting logits ``(N, T)`` (``(N,)``) and
            class logits ``(N, T, num_classes)`` (``(N, num_classes)``).
        """
        if feats.shape[-1] != self.in_channels or feats.dim() not in (2, 3):
            raise ValueError(f'SpottingHead expects (N, T, '
                             f'{self.in_channels}) or (N, '
                             f'{self.in_channels}) features, got shape '
                             f'{tuple(feats.shape)}')
        return self.spot(feats).squeeze(-1), self.cls(feats)

    def probabilities(self, feats: Tensor) -> Tuple[Tensor, Tensor]:
        """The spotting probability (sigmoid) and class probabilities
        (softmax) of every frame, shaped as :meth:`forward`'s logits."""
        spot, cls = self(feats)
        return spot.sigmoid(), cls.softmax(-1)

    def loss_by_labels(self, feats: Tensor, spot_labels: Tensor,
                       class_labels: Tensor) -> Dict[str, Tensor]:
        """The losses of ``(N, T, C)`` features.

        Args:
            feats (Tensor): Per-frame features.
            spot_labels (Tensor): ``(N, T)`` 0/1 (floats in between are
                soft labels).
            class_labels (Tensor): ``(N, T)`` class indices, -1 outside
                expressions.

        Returns:
            dict[str, Tensor]: ``loss_spot``, ``loss_cls`` and the
            frame accuracy of the spotting at 0.5 (``spot_acc``, not a
            loss).
        """
        spot, cls = self(feats)
        spot_labels = spot_labels.to(spot.dtype)
        loss_spot = F.binary_cross_entropy_with_logits(
            spot, spot_labels,
            pos_weight=spot.new_tensor(self.pos_weight))
        inside = class_labels >= 0
        if inside.any():
            loss_cls = F.cross_entropy(cls[inside], class_labels[inside])
        else:  # keep the graph (and DDP) happy without expression frames
            loss_cls = cls.sum() * 0.
        with torch.no_grad():
            acc = ((spot > 0) == (spot_labels > 0.5)).float().mean()
        return dict(loss_spot=loss_spot,
                    loss_cls=loss_cls * self.loss_cls_weight,
                    spot_acc=acc)
