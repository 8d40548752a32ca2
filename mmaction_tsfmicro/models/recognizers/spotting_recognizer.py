"""The micro-expression spotter: a causal sequence backbone and a per-frame
head, trained on windows of long videos and run frame by frame."""
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModel
from torch import Tensor


def _labels(data_samples, key: str, dtype, device) -> Tensor:
    rows = []
    for sample in data_samples:
        value = getattr(sample, key, None)
        if value is None:
            raise KeyError(f'MicroExpressionSpotter: a training sample has '
                           f'no {key}; add it to PackActionInputs('
                           f'algorithm_keys=...)')
        rows.append(torch.as_tensor(np.asarray(value)))
    return torch.stack(rows).to(device=device, dtype=dtype)


@MODELS.register_module()
class MicroExpressionSpotter(BaseModel):
    """Spot micro-expressions in long videos, frame by frame.

    The backbone gives per-frame features of a clip, causally (a frame's
    feature depends on that frame and the ones before it), through
    ``forward_frames(x: (N, 3, T, H, W)) -> (N, T, C)``, and the same
    features one frame at a time through ``init_state`` / ``step``
    (``TSFmicroSeq``); the head (``SpottingHead``) turns each frame's
    feature into a spotting probability and class probabilities.

    * ``mode='loss'``: the head's losses on windows with per-frame labels
      (``spot_labels``, ``class_labels`` of the data samples);
    * ``mode='predict'``: data samples with ``pred_spot`` (T,) and
      ``pred_class`` (T, num_classes) for ``SpottingMetric``;
    * ``mode='tensor'``: the spotting and class logits;
    * :meth:`init_state` / :meth:`step`: the same probabilities for one
      frame of a stream at a time, with a state of constant size.

    Args:
        backbone (dict): The sequence backbone (e.g. ``TSFmicroSeq``).
        head (dict): The per-frame head (``SpottingHead``).
        data_preprocessor (dict, optional): MMAction2's
            ``ActionDataPreprocessor`` with ``format_shape='NCTHW'``.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 backbone: Dict,
                 head: Dict,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor',
                                     format_shape='NCTHW')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        for name in ('forward_frames', 'init_state', 'step'):
            if not callable(getattr(self.backbone, name, None)):
                raise TypeError(
                    f'MicroExpressionSpotter: the backbone '
                    f'{type(self.backbone).__name__} has no {name}(); it '
                    'needs per-frame features of a clip and a streaming '
                    'form (e.g. TSFmicroSeq)')

    # ------------------------------------------------------------------
    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Per-frame features of clips.

        Args:
            inputs (Tensor): ``(N, 1, C, T, H, W)`` as the data
                preprocessor gives them (or ``(N, C, T, H, W)``).

        Returns:
            Tensor: ``(N, T, C')``.
        """
        if inputs.dim() == 6:
            if inputs.shape[1] != 1:
                raise ValueError('MicroExpressionSpotter takes one clip per '
                                 f'sample, got {inputs.shape[1]}')
            inputs = inputs[:, 0]
        return self.backbone.forward_frames(inputs)

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """The head's losses on labelled windows."""
        feats = self.extract_feat(inputs)
        spot = _labels(data_samples, 'spot_labels', feats.dtype,
                       feats.device)
        cls = _labels(data_samples, 'class_labels', torch.long,
                      feats.device)
        if spot.shape != feats.shape[:2]:
            raise ValueError(f'MicroExpressionSpotter: labels of shape '
                             f'{tuple(spot.shape)} for clips of '
                             f'{tuple(feats.shape[:2])} frames')
        return self.head.loss_by_labels(feats, spot, cls)

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        """Per-frame probabilities, put into the data samples."""
        spot, cls = self.head.probabilities(self.extract_feat(inputs))
        for sample, s, c in zip(data_samples, spot, cls):
            sample.pred_spot = s.detach()
            sample.pred_class = c.detach()
        return data_samples

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict, List, Tuple]:
        """MMEngine's forward: ``'loss'``, ``'predict'`` or ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.head(self.extract_feat(inputs))
        raise RuntimeError(f'Invalid mode "{mode}"; choose loss, predict or '
                           'tensor')

    # streaming ----------------------------------------------------------
    def normalize(self, frames: Union[np.ndarray, Tensor]) -> Tensor:
        """Frames as the data preprocessor gives them to the backbone.

        Args:
            frames (np.ndarray | Tensor): ``(N, H, W, 3)`` or ``(H, W, 3)``
                RGB uint8 (or float) frames, already at the model's size.

        Returns:
            Tensor: ``(N, 3, H, W)`` normalized float frames on the model's
            device.
        """
        x = torch.as_tensor(np.asarray(frames) if not isinstance(
            frames, Tensor) else frames)
        if x.dim() == 3:
            x = x[None]
        param = next(self.parameters())
        x = x.to(device=param.device, dtype=torch.float32).permute(0, 3, 1,
                                                                   2)
        pre = self.data_preprocessor
        if getattr(pre, 'to_rgb', False):
            x = x[:, [2, 1, 0]]
        if getattr(pre, '_enable_normalize', False):
            x = (x - pre.mean.view(1, -1, 1, 1)) / pre.std.view(1, -1, 1, 1)
        return x.to(param.dtype)

    def init_state(self, batch_size: int = 1) -> Dict:
        """The state before the first frame of ``batch_size`` streams."""
        param = next(self.parameters())
        return self.backbone.init_state(batch_size, param.device,
                                        param.dtype)

    @torch.no_grad()
    def step(self, frame: Tensor, state: Dict) -> Tuple[Tensor, Tensor, Dict]:
        """Probabilities of the next frame of each stream.

        Args:
            frame (Tensor): ``(N, 3, H, W)`` normalized (:meth:`normalize`).
            state (dict): From :meth:`init_state` or the previous step.

        Returns:
            tuple: Spotting probabilities ``(N,)``, class probabilities
            ``(N, num_classes)`` and the next state; equal to
            ``predict`` on the whole clip at that frame.
        """
        feat, state = self.backbone.step(frame, state)
        spot, cls = self.head.probabilities(feat)
        return spot, cls, state
