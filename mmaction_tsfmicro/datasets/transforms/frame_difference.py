"""The motion input of models that read the change from onset to apex:
the difference image itself, or optical flow in its place.

* :class:`FrameDifference` turns a loaded (onset, apex) pair into the one
  frame ``apex - onset`` (float32), for 2-D networks on the difference
  image (MMAction2's ``Recognizer2D`` with ``FormatShape('NCHW')``).
* :class:`FlowAsFramePair` puts a sample's flow where a pair model looks
  for the change: it replaces the apex by ``onset + scale * flow``. A
  model that takes ``apex - onset`` after the data preprocessor's
  normalization ``(x - mean) / std`` (TSFmicro's temporal branch, see
  ``docs/model.md``) then receives ``scale * flow / std``: with the
  default ``scale`` (the ImageNet std the preprocessor divides by) exactly
  the flow, in its own units, while the onset, unchanged, still feeds the
  spatial branch.
"""
from typing import Dict, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .loading import sample_name

#: ImageNet std in 0-255 RGB, the ``std`` of the plugin's data preprocessor.
IMAGENET_STD_RGB = (58.395, 57.12, 57.375)


def _pair(results: Dict, name: str):
    imgs = results.get('imgs')
    if not imgs or len(imgs) != 2:
        raise ValueError(
            f'{name}: sample {sample_name(results)} needs the loaded '
            f'(onset, apex) pair in "imgs", got '
            f'{0 if not imgs else len(imgs)} frame(s); put SelectFramePair '
            'and LoadFramePair before it')
    onset, apex = imgs
    if onset.shape != apex.shape:
        raise ValueError(f'{name}: sample {sample_name(results)}: onset and '
                         f'apex differ in shape {onset.shape} vs '
                         f'{apex.shape}')
    return onset, apex


@TRANSFORMS.register_module()
class FrameDifference(BaseTransform):
    """Replace the (onset, apex) pair by the difference image
    ``apex - onset``.

    Put it after the spatial augmentations, which then act on both frames
    alike. The difference is float32 in 0-255 units (in -255..255); give
    the data preprocessor ``mean=[0, 0, 0]`` and the usual ``std`` so that
    the network sees ``(apex - onset) / std``, the input of TSFmicro's
    temporal branch.

    Required keys: ``imgs`` (the onset and the apex, in that order).
    Modified keys: ``imgs`` (one frame), ``clip_len`` (1), ``num_clips``
    (1).
    """

    def transform(self, results: Dict) -> Dict:
        """Take the difference."""
        onset, apex = _pair(results, 'FrameDifference')
        results['imgs'] = [
            apex.astype(np.float32) - onset.astype(np.float32)
        ]
        results['clip_len'] = 1
        results['num_clips'] = 1
        return results


@TRANSFORMS.register_module()
class FlowAsFramePair(BaseTransform):
    """Replace the apex of a loaded pair by ``onset + scale * flow``, so that
    a pair model's ``apex - onset`` is the flow (see the module docstring).

    The flow comes from ``LoadFlow(key=flow_key, size=...)`` at the size
    of the frames, with as many channels as the frames have (three:
    ``u, v, strain`` or ``u, v, magnitude``). Spatial augmentations that
    move pixels (flip, rotation, crop) would have to transform the flow
    vectors too; put none between ``LoadFlow`` and this transform.

    Required keys: ``imgs`` (the onset and the apex), ``flow_key``.
    Modified keys: ``imgs`` (float32: the onset and ``onset + scale *
    flow``).

    Args:
        flow_key (str): Where ``LoadFlow`` put the flow. Defaults to
            ``'flow'``.
        scale (float | Sequence[float]): Per-channel factor. Defaults to
            the ImageNet std (:data:`IMAGENET_STD_RGB`), which the plugin's
            data preprocessor divides by.
    """

    def __init__(self,
                 flow_key: str = 'flow',
                 scale: Union[float, Sequence[float]] = IMAGENET_STD_RGB
                 ) -> None:
        self.flow_key = flow_key
        self.scale = np.asarray(scale, dtype=np.float32).reshape(-1)

    def transform(self, results: Dict) -> Dict:
        """Encode the flow as the second frame."""
        onset, _ = _pair(results, 'FlowAsFramePair')
        if self.flow_key not in results:
            raise KeyError(f'FlowAsFramePair: sample {sample_name(results)} '
                           f'has no {self.flow_key!r}; put LoadFlow('
                           f"key='{self.flow_key}') before it")
        flow = np.asarray(results[self.flow_key], np.float32)
        if flow.shape != onset.shape:
            raise ValueError(
                f'FlowAsFramePair: sample {sample_name(results)}: flow of '
                f'shape {flow.shape} does not match the frames '
                f'{onset.shape}; load it with LoadFlow(size=...) at the '
                'frame size and with as many channels as the frames')
        base = onset.astype(np.float32)
        results['imgs'] = [base, base + self.scale * flow]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(flow_key={self.flow_key!r}, '
                f'scale={self.scale.tolist()})')
