"""Integrated gradients of the two TSFmicro branches, at their inputs.

Integrated gradients (Sundararajan, Taly, Yan, "Axiomatic Attribution for
Deep Networks", ICML 2017) credit each input value ``x_i`` with its change
from a reference ``x'`` times the mean gradient of the class score ``y``
along the straight path between them::

    attr_i = (x_i - x'_i) * mean_{t in (0, 1)} d y / d x_i (x' + t (x - x'))

so that the credits add up to ``y(x) - y(x')`` (completeness). Each branch
is credited at its own input, with the other branch's input left as it is:

* temporal: the input of ``backbone.stem``, the normalized difference
  ``apex - onset``; the reference is no motion (a zero difference), so the
  map shows which pixels' changes raise the score, and a clip without
  motion gets no credit;
* spatial: the input of ``backbone.spatial``, the normalized onset frame
  (the branch resizes it to its grid); the reference is zero, the
  normalization's mean colour (a face-less grey).

The inputs are replaced by forward pre-hooks on those modules (the model is
not changed). The mean over the path is a midpoint Riemann sum of ``steps``
points; the credits are summed over the colour channels.
"""
from typing import Optional

import numpy as np
import torch
from torch import Tensor, nn

from .attribution import (BranchAttribution, Target, as_clips, resolve_targets,
                          to_numpy, upsample)


class ScaledInput:
    """While the block runs, scale the first input of ``module`` by ``t``.

    A forward pre-hook replaces the input ``x`` by ``t * x`` (the path from
    the zero reference), as a leaf that needs gradients (:attr:`scaled`);
    :attr:`original` keeps ``x``.

    Args:
        module (nn.Module): The module whose input is scaled.
    """

    def __init__(self, module: nn.Module) -> None:
        self.module = module
        self.t = 1.
        self.original: Optional[Tensor] = None
        self.scaled: Optional[Tensor] = None
        self._handle = None

    def _hook(self, module: nn.Module, args):
        x = args[0].detach()
        self.original = x
        self.scaled = (x * self.t).requires_grad_(True)
        return (self.scaled, ) + tuple(args[1:])

    def __enter__(self) -> 'ScaledInput':
        self._handle = self.module.register_forward_pre_hook(self._hook)
        return self

    def __exit__(self, *exc) -> None:
        self._handle.remove()


def branch_module(backbone: nn.Module, branch: str) -> nn.Module:
    """The module whose input is the branch's input: ``stem`` (temporal)
    or ``spatial``."""
    name = dict(temporal='stem', spatial='spatial')[branch]
    module = getattr(backbone, name, None)
    if not isinstance(module, nn.Module):
        raise ValueError(f'the backbone has no {name!r} module, the input '
                         f'of its {branch} branch (a TSFmicro backbone with '
                         "fusion='late' has both)")
    return module


def _integrate(model: nn.Module, inputs: Tensor, module: nn.Module,
               targets: Tensor, steps: int):
    """Credits ``(N, h, w)`` at ``module``'s input and the score gains."""
    total = None
    with torch.enable_grad(), ScaledInput(module) as hooked:
        for step in range(steps):
            hooked.t = (step + .5) / steps
            logits, _ = model.extract_feat(inputs, stage='head')
            score = logits.gather(1, targets[:, None]).sum()
            grad, = torch.autograd.grad(score, hooked.scaled)
            total = grad if total is None else total + grad
        original = hooked.original
        hooked.t = 0.
        with torch.no_grad():
            reference, _ = model.extract_feat(inputs, stage='head')
    if original is None or original.dim() != 4:
        raise ValueError(f'expected an (N, C, H, W) input of the branch, '
                         f'got {None if original is None else original.shape}')
    credits = (original * total / steps).sum(dim=1)
    return credits, reference.gather(1, targets[:, None])[:, 0]


def branch_integrated_gradients(model: nn.Module,
                                inputs: Tensor,
                                target: Target = None,
                                steps: int = 16) -> BranchAttribution:
    """Integrated gradients of the temporal and the spatial branch.

    Args:
        model (nn.Module): A ``Recognizer3D`` with a TSFmicro backbone
            (``fusion='late'``), in eval mode.
        inputs (Tensor): The preprocessed batch, ``(N, 1, C, 2, H, W)`` or
            ``(N, C, 2, H, W)``.
        target (int | Sequence[int], optional): The class to explain.
            Defaults to each sample's top class.
        steps (int): Points of the path integral.

    Returns:
        BranchAttribution: Signed ``H x W`` credits of both branches, and in
        ``gains`` the score of the input minus that of each reference (the
        sum of each map, up to the integral's error).
    """
    if steps < 1:
        raise ValueError(f'steps must be >= 1, got {steps}')
    inputs = as_clips(inputs).detach()
    size = inputs.shape[-2:]
    with torch.no_grad():
        logits, _ = model.extract_feat(inputs, stage='head')
    targets = resolve_targets(target, logits)
    score = logits.gather(1, targets[:, None])[:, 0]
    maps, gains = [], []
    for branch in ('temporal', 'spatial'):
        module = branch_module(model.backbone, branch)
        credits, reference = _integrate(model, inputs, module, targets,
                                        steps)
        if credits.shape[-2:] != size:
            credits = upsample(credits, size)
        maps.append(to_numpy(credits))
        gains.append(to_numpy(score - reference))
    return BranchAttribution(
        method='integrated_gradients',
        temporal=maps[0],
        spatial=maps[1],
        logits=to_numpy(logits),
        target=targets.cpu().numpy(),
        gains=np.stack(gains, axis=1))
