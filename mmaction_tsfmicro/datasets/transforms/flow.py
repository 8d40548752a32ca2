"""Loading of the saved onset-to-apex optical flow of a sample.

The flow of a sample is computed once and read from its file afterwards:
either ahead of training by ``tools/data/compute_flow.py`` (every sample,
with parallel workers), or, with ``LoadFlow(compute=dict(method=...))``,
by the first pipeline that loads a sample whose file is missing (the file
is then written atomically, so parallel folds or dataloader workers that
meet the same sample at once write the same bytes and never half a file).
Without ``compute`` a missing file stops the run with one line naming the
file and the ``compute_flow.py`` command.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...preprocessing.flow import (FLOW_CHANNELS, FLOW_META_FILE,
                                   FLOW_METHODS, FLOW_PATH_TMPL,
                                   FlowEstimator, flow_path, flow_sample,
                                   load_flow, save_flow)
from ...utils.fileio import read_json, write_json
from .frame_pair import key_frame
from .loading import read_frame, sample_name

#: Channels :class:`LoadFlow` can give: the saved ones and the magnitude.
LOADABLE_CHANNELS = FLOW_CHANNELS + ('magnitude', )

#: The options of each method and their defaults, as
#: ``tools/data/compute_flow.py`` records them in ``flow_meta.json``.
METHOD_OPTIONS = dict(
    tvl1=dict(scales=5, warps=5, epsilon=0.01),
    dis=dict(dis_preset='medium'),
    farneback=dict())


def compute_settings(compute: Dict) -> Tuple[str, Dict]:
    """The method and its full options from ``LoadFlow``'s ``compute``.

    Args:
        compute (dict): ``method`` and any of its options.

    Returns:
        tuple[str, dict]: The method and its options with the defaults of
        ``compute_flow.py`` filled in.

    Raises:
        ValueError: For an unknown method or option.
    """
    compute = dict(compute)
    method = compute.pop('method', None)
    if method not in FLOW_METHODS:
        raise ValueError(f'LoadFlow compute needs method= one of '
                         f'{list(FLOW_METHODS)}, got {method!r}')
    known = METHOD_OPTIONS[method]
    unknown = sorted(set(compute) - set(known))
    if unknown:
        raise ValueError(f'LoadFlow compute: {method} has no option(s) '
                         f'{unknown}; its options: {sorted(known) or "none"}')
    return method, dict(known, **compute)


@TRANSFORMS.register_module()
class LoadFlow(BaseTransform):
    """Load a sample's flow saved by ``tools/data/compute_flow.py`` (or
    compute it once when ``compute`` is given).

    The file is found from the sample's ``subject``, ``clip``,
    ``onset_frame`` and ``apex_frame`` (and ``dataset`` if the template uses
    it) with ``path_tmpl`` under ``flow_root``; it holds float16
    ``u, v, strain`` of shape (H, W, 3). The chosen channels are stacked in
    the given order as a float32 (H, W, C) array. With ``key='imgs'`` it is
    stored as a one-frame clip (``[array]``, ``clip_len=1``), so
    ``FormatShape('NCHW')`` and ``PackActionInputs`` give an input of shape
    (1, C, H, W) (``'NCTHW'``: (1, C, 1, H, W)); with another key the array
    itself is stored there and ``imgs`` is left alone.

    With ``compute``, a missing file is computed from the sample's
    annotated onset and apex frames (``frame_dir``, ``filename_tmpl``; read
    in grayscale as ``compute_flow.py`` reads them), saved atomically and
    then loaded, and ``flow_root/flow_meta.json`` records the method and
    its options; a folder that holds flow of another method or options is
    refused, as ``compute_flow.py`` refuses it. Files that exist are read
    whatever made them.

    Required keys: ``subject``, ``clip``, ``onset_frame``, ``apex_frame``
    (with ``compute`` also ``frame_dir`` and ``filename_tmpl``).
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
        compute (dict, optional): Compute missing files: ``method``
            (``'tvl1'``, ``'dis'``, ``'farneback'``) and its options as
            ``compute_flow.py`` names them (``scales``, ``warps``,
            ``epsilon`` for TV-L1, ``dis_preset`` for DIS), e.g.
            ``dict(method='tvl1')``. Defaults to None: a missing file is an
            error.
        backend_args (dict, optional): MMEngine file backend arguments for
            reading frames.
    """

    def __init__(self,
                 flow_root: str,
                 path_tmpl: str = FLOW_PATH_TMPL,
                 channels: Sequence[str] = FLOW_CHANNELS,
                 size: Optional[Union[int, Tuple[int, int]]] = None,
                 key: str = 'imgs',
                 compute: Optional[Dict] = None,
                 backend_args: Optional[Dict] = None) -> None:
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
        self.compute = None if compute is None else compute_settings(compute)
        self.backend_args = backend_args
        self._estimator: Optional[FlowEstimator] = None
        self._meta_checked = False

    def __getstate__(self) -> Dict:
        # OpenCV's flow objects cannot be pickled (dataloader workers
        # started by spawn); each process builds its own
        state = dict(self.__dict__)
        state['_estimator'] = None
        return state

    # ------------------------------------------------------------------
    def _missing(self, path: str, results: Dict) -> FileNotFoundError:
        dataset = results.get('dataset') or 'DATASET'
        return FileNotFoundError(
            f'flow file not found: {path} (sample {sample_name(results)}); '
            'compute the flow of every sample once with `python '
            f'tools/data/compute_flow.py --dataset {dataset} --ann ANN '
            f'--src FRAME_ROOT --dst {self.flow_root}`, or give LoadFlow '
            "compute=dict(method='tvl1') to compute missing files when "
            'they are first loaded')

    def _check_meta(self) -> None:
        """Record the method in ``flow_meta.json``, or refuse a folder that
        holds another method's flow."""
        if self._meta_checked:
            return
        method, options = self.compute
        path = osp.join(self.flow_root, FLOW_META_FILE)
        if osp.isfile(path):
            old = read_json(path)
            if (old.get('method'), old.get('options')) != (method, options):
                raise ValueError(
                    f'{path}: this folder holds {old.get("method")} flow '
                    f'with options {old.get("options")}; LoadFlow compute '
                    f'asks for {method} with options {options}: use '
                    'another flow_root or the same compute settings')
        else:
            write_json(
                path,
                dict(method=method, options=options,
                     channels=list(FLOW_CHANNELS), dtype='float16',
                     path_template=self.path_tmpl,
                     written_by='LoadFlow (compute on first load)'))
        self._meta_checked = True

    def _compute(self, path: str, results: Dict) -> None:
        """Compute and save the flow of the sample's onset and apex."""
        self._check_meta()
        if self._estimator is None:
            method, options = self.compute
            self._estimator = FlowEstimator(method, **options)
        onset = read_frame(results, key_frame(results, 'onset'),
                           'grayscale', 'bgr', self.backend_args)
        apex = read_frame(results, key_frame(results, 'apex'), 'grayscale',
                          'bgr', self.backend_args)
        if onset.shape != apex.shape:
            raise ValueError(f'sample {sample_name(results)}: onset and '
                             f'apex frames differ in size {onset.shape} vs '
                             f'{apex.shape}')
        save_flow(path, flow_sample(onset, apex, self._estimator))

    def transform(self, results: Dict) -> Dict:
        """Load (computing first if asked), select the channels, resize."""
        path = flow_path(self.flow_root, results, self.path_tmpl)
        if not osp.isfile(path):
            if self.compute is None:
                raise self._missing(path, results)
            self._compute(path, results)
        try:
            data = load_flow(path)
        except (FileNotFoundError, ValueError) as exc:
            raise type(exc)(f'{exc} (sample {sample_name(results)})') from None
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
                f'key={self.key!r}, compute={self.compute})')
