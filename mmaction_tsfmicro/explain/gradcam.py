"""Grad-CAM of the two TSFmicro branches, on their last feature maps.

Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep
Networks via Gradient-based Localization", ICCV 2017) weighs each channel
``k`` of a feature map ``A`` by the mean gradient of a class score ``y`` over
the map's positions, and keeps the positive part of the weighted sum::

    alpha_k = mean_{i,j} d y / d A_k[i, j]
    cam[i, j] = ReLU(sum_k alpha_k * A_k[i, j])

Here ``A`` is each branch's last feature map, the backbone's output before
the neck fuses it: element 0 the temporal map (the retention stages on
``apex - onset``), element 1 the spatial map (the ViT on the onset). They are
read by a forward hook on the backbone (the model is not changed); ``y`` is
the head's raw class score (logit). Each ``h x w`` map is resized
bilinearly to the input's ``H x W``.

The retention stages and the ViT mix the positions of their maps, so a
position of the last map may carry evidence that came from elsewhere in the
face: the maps say where in the last map the evidence is, not which pixels
caused it (:mod:`.integrated_gradients` does).
"""
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .attribution import (BranchAttribution, Target, as_clips, resolve_targets,
                          to_numpy, upsample)


def grad_cam(activation: Tensor, gradient: Tensor) -> Tensor:
    """Grad-CAM of one feature map.

    Args:
        activation (Tensor): ``(N, C, h, w)`` feature map.
        gradient (Tensor): ``(N, C, h, w)`` gradient of the score by it.

    Returns:
        Tensor: ``(N, h, w)``, >= 0.
    """
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    return F.relu((weights * activation).sum(dim=1))


class BackboneMaps:
    """Keep the branch maps a backbone returns while the block runs.

    A forward hook on ``backbone`` records elements 0 (temporal) and 1
    (spatial) of its output; the hook is removed on exit.

    Args:
        backbone (nn.Module): The TSFmicro backbone (``fusion='late'``).
    """

    def __init__(self, backbone: nn.Module) -> None:
        self.backbone = backbone
        self.maps: List[Tensor] = []
        self._handle = None

    def _hook(self, module: nn.Module, args, output) -> None:
        try:
            maps = [output[0], output[1]]
        except (IndexError, KeyError, TypeError):
            raise ValueError(
                'Grad-CAM of both branches needs a backbone that returns '
                "the (temporal, spatial) maps: TSFmicro with fusion='late' "
                f"(this one has fusion={getattr(module, 'fusion', '?')!r})"
            ) from None
        for m in maps:
            if not isinstance(m, Tensor) or m.dim() != 4:
                raise ValueError('expected (N, C, h, w) branch maps, got '
                                 f'{type(m).__name__} '
                                 f'{tuple(getattr(m, "shape", ()))}')
        self.maps = maps

    def __enter__(self) -> 'BackboneMaps':
        self._handle = self.backbone.register_forward_hook(self._hook)
        return self

    def __exit__(self, *exc) -> None:
        self._handle.remove()


def branch_grad_cam(model: nn.Module,
                    inputs: Tensor,
                    target: Target = None) -> BranchAttribution:
    """Grad-CAM of the temporal and the spatial branch.

    The model runs as in testing (it should be in eval mode, where the
    samples of a batch are independent); the gradients are those of the
    summed target scores, so each sample gets its own.

    Args:
        model (nn.Module): A ``Recognizer3D`` with a TSFmicro backbone
            (``fusion='late'``), a neck and a head.
        inputs (Tensor): The preprocessed batch, ``(N, 1, C, 2, H, W)`` (the
            data preprocessor's output) or ``(N, C, 2, H, W)``.
        target (int | Sequence[int], optional): The class to explain, one
            for all samples or one per sample. Defaults to each sample's
            top class.

    Returns:
        BranchAttribution: ``H x W`` maps of both branches, >= 0.
    """
    inputs = as_clips(inputs)
    size = inputs.shape[-2:]
    # a leaf that needs gradients: the graph exists even for frozen weights
    inputs = inputs.detach().requires_grad_(True)
    with torch.enable_grad(), BackboneMaps(model.backbone) as hooked:
        logits, _ = model.extract_feat(inputs, stage='head')
    if not hooked.maps:
        raise RuntimeError('the backbone did not run')
    targets = resolve_targets(target, logits.detach())
    score = logits.gather(1, targets[:, None]).sum()
    grads = torch.autograd.grad(score, hooked.maps)
    cams = [
        upsample(grad_cam(a.detach().float(), g.float()), size)
        for a, g in zip(hooked.maps, grads)
    ]
    return BranchAttribution(
        method='gradcam',
        temporal=to_numpy(cams[0]),
        spatial=to_numpy(cams[1]),
        logits=to_numpy(logits),
        target=targets.cpu().numpy())
