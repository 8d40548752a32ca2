"""STSTNet: a shallow triple-stream network on flow and optical strain."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS


@MODELS.register_module()
class STSTNet(BaseModule):
    """STSTNet: three shallow convolution streams of different widths on
    the horizontal flow, vertical flow and optical strain.

    Follows Liong, Gan, See, Khor and Huang, "Shallow Triple Stream
    Three-dimensional CNN (STSTNet) for Micro-expression Recognition",
    IEEE FG 2019 (MEGC 2019; arXiv:1902.03634) and its authors' PyTorch
    release: the 28 x 28 x 3 input (``u``, ``v`` and the optical strain
    between the onset and the apex) feeds three streams of one 3 x 3
    convolution each, with 3, 5 and 8 filters (padding 2, as the release
    has it: 28 -> 30), ReLU, BatchNorm, 3 x 3 max pooling of stride 3
    (padding 1: 30 -> 10) and dropout 0.5; the 16 maps are concatenated,
    average-pooled 2 x 2 (10 -> 5) and flattened (400 values). The
    classifier (the paper's one fully connected layer) is the head's:
    MMAction2's ``TSNHead(in_channels=400, dropout_ratio=0)``.

    Input: (N, 3, H, W) (``LoadFlow(channels=('u', 'v', 'strain'))`` +
    ``FormatShape('NCHW')``, ``Recognizer2D``). Output: the (N, 400, 1, 1)
    flattened features (``16 x s x s`` for other input sizes).

    Args:
        in_channels (int): Input channels (each stream sees them all).
            Defaults to 3.
        input_size (int): Side of the square input. Defaults to 28.
        stream_channels (Sequence[int]): Filters of each stream.
            Defaults to (3, 5, 8).
        padding (int): Padding of the 3 x 3 convolutions. Defaults to 2.
        dropout_ratio (float): Dropout after each stream's pooling.
            Defaults to 0.5.
        init_cfg (dict | list[dict], optional): Initialization config
            (PyTorch's defaults when None).
    """

    def __init__(self,
                 in_channels: int = 3,
                 input_size: int = 28,
                 stream_channels: Sequence[int] = (3, 5, 8),
                 padding: int = 2,
                 dropout_ratio: float = 0.5,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not stream_channels:
            raise ValueError('STSTNet needs at least one stream')
        self.in_channels = in_channels
        self.input_size = input_size
        self.streams = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(in_channels, out, 3, padding=padding),
                nn.ReLU(inplace=True), nn.BatchNorm2d(out),
                nn.MaxPool2d(3, stride=3, padding=1),
                nn.Dropout(dropout_ratio)) for out in stream_channels)
        self.pool = nn.AvgPool2d(2, 2)
        conv = input_size + 2 * padding - 2
        side = ((conv + 2 - 3) // 3 + 1) // 2
        if side < 1:
            raise ValueError(f'STSTNet: input_size {input_size} is too small')
        self.out_channels = sum(stream_channels) * side * side

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Streams, concatenation, pooling, flattening.

        Args:
            x (torch.Tensor): (N, in_channels, input_size, input_size).

        Returns:
            torch.Tensor: (N, out_channels, 1, 1).
        """
        expected = (self.in_channels, self.input_size, self.input_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f'STSTNet takes (N, {self.in_channels}, {self.input_size}, '
                f'{self.input_size}) inputs, got {tuple(x.shape)}; load the '
                f'flow with LoadFlow(size={self.input_size}, channels=(u, v, '
                'strain)) and FormatShape(NCHW)')
        x = torch.cat([stream(x) for stream in self.streams], dim=1)
        return self.pool(x).flatten(1)[:, :, None, None]
