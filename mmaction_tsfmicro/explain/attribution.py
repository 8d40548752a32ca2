"""What every attribution method of the explanations returns, and the
helpers they share: the batch layout, the explained classes, resizing."""
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

#: A class to explain: one index for every sample, or one per sample.
Target = Optional[Union[int, Sequence[int]]]


@dataclass
class BranchAttribution:
    """Attribution maps of the temporal and the spatial branch for a batch.

    Attributes:
        method (str): ``'gradcam'`` or ``'integrated_gradients'``.
        temporal (np.ndarray): ``(N, H, W)`` float32 map of the temporal
            branch at the input's size, in units of the class score.
        spatial (np.ndarray): ``(N, H, W)`` map of the spatial branch.
        logits (np.ndarray): ``(N, K)`` class scores of the plain input.
        target (np.ndarray): ``(N,)`` the explained class of each sample.
        gains (np.ndarray, optional): ``(N, 2)``, for methods with a
            reference input: how much the target score of the input exceeds
            that of each branch's reference (temporal, spatial).
    """

    method: str
    temporal: np.ndarray
    spatial: np.ndarray
    logits: np.ndarray
    target: np.ndarray
    gains: Optional[np.ndarray] = None

    @property
    def probabilities(self) -> np.ndarray:
        """``(N, K)`` softmax of the class scores."""
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @property
    def predicted(self) -> np.ndarray:
        """``(N,)`` the top class of each sample."""
        return self.logits.argmax(axis=1)


def as_clips(inputs: Tensor) -> Tensor:
    """The recognizer's input layout ``(N, 1, C, 2, H, W)`` (the data
    preprocessor's output), from it or from ``(N, C, 2, H, W)``."""
    if inputs.dim() == 5:
        inputs = inputs.unsqueeze(1)
    if inputs.dim() != 6 or inputs.shape[3] != 2:
        raise ValueError('expected preprocessed onset/apex pairs (N, 1, C, '
                         f'2, H, W), got shape {tuple(inputs.shape)}')
    return inputs


def resolve_targets(target: Target, logits: Tensor) -> Tensor:
    """``(N,)`` class indices: ``target`` for every sample (one index or one
    per sample), or each sample's top class when ``target`` is None.

    Raises:
        ValueError: For an index out of range or a wrong count.
    """
    num, classes = logits.shape
    if target is None:
        return logits.argmax(dim=1)
    out = torch.as_tensor(target, dtype=torch.long, device=logits.device)
    out = out.reshape(-1)
    if out.numel() == 1:
        out = out.expand(num)
    if out.shape != (num, ) or bool((out < 0).any()) or bool(
            (out >= classes).any()):
        raise ValueError(f'target must be one class index in 0..'
                         f'{classes - 1} or one per sample, got {target!r}')
    return out


def upsample(maps: Tensor, size: Sequence[int]) -> Tensor:
    """Bilinear resizing of ``(N, h, w)`` maps to ``size`` ``(H, W)``."""
    return F.interpolate(
        maps[:, None], size=tuple(size), mode='bilinear',
        align_corners=False)[:, 0]


def to_numpy(x: Tensor) -> np.ndarray:
    """A detached float32 numpy copy."""
    return x.detach().float().cpu().numpy().astype(np.float32)
