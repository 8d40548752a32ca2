"""Loading of the saved onset-to-apex optical flow of a sample."""
from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...preprocessing.flow import (FLOW_CHANNELS, FLOW_PATH_TMPL, flow_path,
                                   load_flow)

#: Channels :class:`LoadFlow` can give: the saved ones and the magnitude.
LOADABLE_CHANNELS = FLOW_CHANNELS + ('magnitude', )


@TRANSFORMS.register_module()
class LoadFlow(BaseTransform):
    """Load a sample's flow saved by ``tools/data/compute_flow.py``.

    The file is found from the sample's ``subject``, ``clip``,
    ``onset_frame`` and ``apex_frame`` (and ``dataset`` if the template uses
    it) with ``path_tmpl`` under ``flow_root``; it holds float16
    ``u, v, strain`` of shape (H, W, 3). The chosen channels are stacked in
    the given order as a float32 (H, W, C) array. With ``key='imgs'`` it is
    stored as a one-frame clip (``[array]``, ``clip_len=1``), so
    ``FormatShape('NCHW')`` and ``PackActionInputs`` give an input of shape
    (1, C, H, W) (``'NCTHW'``: (1, C, 1, H, W)); with another key the array
    itself is stored there and ``imgs`` is left alone.

    Required keys: ``subject``, ``clip``, ``onset_frame``, ``apex_frame``.
    Added keys: ``key`` (``imgs`` by default), ``flow_path``; with
    ``key='imgs'`` also ``img_shape``, ``original_shape``, ``clip_len``,
    ``num_clips``.

    Args:
        flow_root (str): Folder given to ``compute_flow.py --dst``.
        path_tmpl (str): Path template relative to ``flow_root``.
            Defaults to ``'{subject}/{clip}/flow_{onset}_{apex}.npy'``.
        channels (Sequence[str]): Channels, in order, from ``'u'``, ``'v'``,
            ``'strain'``, ``'magnitude'`` (the flow's length).
            Defaults to ``('u', 'v', 'strain')``.
        size (int | tuple[int, int], optional): Resize to ``size`` (an int:
            a square; a tuple: ``(w, h)``). ``u``, ``v`` and the magnitude
            are scaled by the resize factors; the strain (a ratio of
            lengths) is unchanged. Defaults to None (no resize).
        key (str): Where to store the result. Defaults to ``'imgs'``.
    """

    def __init__(self,
                 flow_root: str,
                 path_tmpl: str = FLOW_PATH_TMPL,
                 channels: Sequence[str] = FLOW_CHANNELS,
                 size: Optional[Union[int, Tuple[int, int]]] = None,
                 key: str = 'imgs') -> None:
        bad = [c for c in channels if c not in LOADABLE_CHANNELS]
        if bad or not channels:
            raise ValueError('LoadFlow channels must be a non-empty list of '
                             f'{list(LOADABLE_CHANNELS)}, got '
                             f'{list(channels)}')
        if isinstance(size, int):
            size = (size, size)
        if size is not None and (len(size) != 2 or min(size) < 1):
            raise ValueError(f'LoadFlow size must be an int or (w, h), got '
                             f'{size}')
        self.flow_root = flow_root
        self.path_tmpl = path_tmpl
        self.channels = tuple(channels)
        self.size = None if size is None else tuple(int(s) for s in size)
        self.key = key

    def transform(self, results: Dict) -> Dict:
        """Load, select the channels, resize."""
        path = flow_path(self.flow_root, results, self.path_tmpl)
        try:
            data = load_flow(path)
        except (FileNotFoundError, ValueError) as exc:
            sample = (f"{results.get('subject', '?')}/"
                      f"{results.get('clip', '?')}")
            raise type(exc)(f'{exc} (sample {sample})') from None
        h, w = data.shape[:2]
        if self.size is not None and self.size != (w, h):
            sx, sy = self.size[0] / w, self.size[1] / h
            interp = cv2.INTER_AREA if sx * sy < 1 else cv2.INTER_LINEAR
            data = cv2.resize(data, self.size, interpolation=interp)
            data[..., 0] *= sx
            data[..., 1] *= sy
        planes = {
            'u': data[..., 0],
            'v': data[..., 1],
            'strain': data[..., 2],
        }
        if 'magnitude' in self.channels:
            planes['magnitude'] = np.hypot(data[..., 0], data[..., 1])
        flow = np.stack([planes[c] for c in self.channels],
                        axis=-1).astype(np.float32)
        results['flow_path'] = path
        if self.key == 'imgs':
            results['imgs'] = [flow]
            results['img_shape'] = flow.shape[:2]
            results['original_shape'] = flow.shape[:2]
            results['clip_len'] = 1
            results['num_clips'] = 1
        else:
            results[self.key] = flow
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(flow_root={self.flow_root!r}, '
                f'channels={self.channels}, size={self.size}, '
                f'key={self.key!r})')
