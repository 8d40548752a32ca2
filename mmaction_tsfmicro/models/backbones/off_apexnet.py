"""OFF-ApexNet: two CNN streams on the onset-to-apex optical flow."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS


@MODELS.register_module()
class OFFApexNet(BaseModule):
    """OFF-ApexNet: one small CNN stream per flow component, fused by fully
    connected layers.

    Follows Gan, Liong, Yau, Huang and Tan, "OFF-ApexNet on
    micro-expression recognition system", Signal Processing: Image
    Communication 74 (2019) 129-139 (arXiv:1805.08699): the horizontal and
    the vertical optical flow between the onset and the apex frame, each
    a 28 x 28 image, go through their own stream of two 5 x 5
    convolutions (6, then 16 filters, 'same' padding, ReLU), each followed
    by 2 x 2 max pooling (28 -> 14 -> 7); the two 7 x 7 x 16 maps are
    flattened and concatenated (1568 values) and pass two fully connected
    layers of 1024 units (ReLU). The classifier (the paper's softmax
    layer) is the head's: with MMAction2's ``TSNHead(in_channels=1024)``
    the model has the 2.66 M parameters reported for OFF-ApexNet on three
    classes.

    One stream is built per input channel (``in_channels``), so the same
    class takes ``u, v`` (the paper) or ``u, v, strain``.

    Input: (N, C, H, W) flow (``LoadFlow`` + ``FormatShape('NCHW')``,
    ``Recognizer2D``). Output: the (N, 1024, 1, 1) features of the last
    fully connected layer, the map a 2-D head pools.

    Args:
        in_channels (int): Flow channels, one stream each. Defaults to 2.
        input_size (int): Side of the square input. Defaults to 28.
        stream_channels (Sequence[int]): Filters of the two convolutions
            of a stream. Defaults to (6, 16).
        kernel_size (int): Convolution kernel. Defaults to 5.
        fc_channels (Sequence[int]): Units of the fully connected layers.
            Defaults to (1024, 1024).
        dropout_ratio (float): Dropout before each fully connected layer.
            Defaults to 0.
        init_cfg (dict | list[dict], optional): Initialization config
            (PyTorch's defaults when None).
    """

    def __init__(self,
                 in_channels: int = 2,
                 input_size: int = 28,
                 stream_channels: Sequence[int] = (6, 16),
                 kernel_size: int = 5,
                 fc_channels: Sequence[int] = (1024, 1024),
                 dropout_ratio: float = 0.,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels < 1 or not stream_channels or not fc_channels:
            raise ValueError('OFFApexNet needs in_channels >= 1 and '
                             'non-empty stream_channels and fc_channels')
        side = input_size // 2**len(stream_channels)
        if side < 1 or input_size % 2**len(stream_channels):
            raise ValueError(
                f'OFFApexNet: input_size {input_size} must be a multiple of '
                f'{2**len(stream_channels)} (one 2x2 pooling per '
                'convolution)')
        self.in_channels = in_channels
        self.input_size = input_size
        self.streams = nn.ModuleList()
        for _ in range(in_channels):
            layers, width = [], 1
            for out in stream_channels:
                layers += [
                    nn.Conv2d(width, out, kernel_size,
                              padding=kernel_size // 2),
                    nn.ReLU(inplace=True),
                    nn.MaxPool2d(2, 2)
                ]
                width = out
            self.streams.append(nn.Sequential(*layers))
        fcs, width = [], in_channels * stream_channels[-1] * side * side
        for out in fc_channels:
            fcs += [
                nn.Dropout(dropout_ratio),
                nn.Linear(width, out),
                nn.ReLU(inplace=True)
            ]
            width = out
        self.fc = nn.Sequential(*fcs)
        self.out_channels = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Streams, concatenation, fully connected layers.

        Args:
            x (torch.Tensor): (N, in_channels, input_size, input_size).

        Returns:
            torch.Tensor: (N, fc_channels[-1], 1, 1).
        """
        expected = (self.in_channels, self.input_size, self.input_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f'OFFApexNet takes (N, {self.in_channels}, '
                f'{self.input_size}, {self.input_size}) flow, got '
                f'{tuple(x.shape)}; load it with LoadFlow(size='
                f'{self.input_size}, channels=...) and FormatShape(NCHW)')
        feats = [
            stream(x[:, i:i + 1]).flatten(1)
            for i, stream in enumerate(self.streams)
        ]
        return self.fc(torch.cat(feats, dim=1))[:, :, None, None]
