"""Loading of the frames a micro-expression sample is made of."""
import os.path as osp
from typing import Dict, Optional, Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmaction.registry import TRANSFORMS
from ...annotations.layouts import guess_filename_tmpl
from ...utils.images import check_complete
from ..frame_cache import open_cache


def frame_path(results: Dict, frame: int) -> str:
    """Path of frame number ``frame`` of the sample in ``results``."""
    return osp.join(results['frame_dir'],
                    results['filename_tmpl'].format(int(frame)))


def sample_name(results: Dict) -> str:
    """``subject/clip`` of a sample, for error messages."""
    return f"{results.get('subject', '?')}/{results.get('clip', '?')}"


def read_frame(results: Dict,
               frame: int,
               flag: str = 'color',
               channel_order: str = 'rgb',
               backend_args: Dict = None,
               frame_cache: Optional[str] = None) -> np.ndarray:
    """Read one frame of a sample, with an error that names the file.

    A ``'color'`` frame of a local file comes from the frame cache in
    ``frame_cache`` (else the sample's ``frame_cache``, which
    ``MicroExpressionDataset(frame_cache=...)`` sets) when the cache holds
    it unchanged (the same bytes the decoder gives, see
    :mod:`~mmaction_tsfmicro.datasets.frame_cache`), else from its file.

    Args:
        results (dict): The sample (``frame_dir``, ``filename_tmpl``).
        frame (int): The frame number (as in the file name).
        flag (str): ``'color'`` (H, W, 3; grayscale files are expanded) or
            ``'grayscale'`` (H, W). Defaults to ``'color'``.
        channel_order (str): ``'rgb'`` or ``'bgr'``. Defaults to ``'rgb'``.
        backend_args (dict, optional): MMEngine file backend arguments.
        frame_cache (str, optional): A frame cache folder.

    Returns:
        np.ndarray: The decoded uint8 image.
    """
    path = frame_path(results, frame)
    img = None
    cache = open_cache(frame_cache or results.get('frame_cache'))
    if cache is not None and flag == 'color' and backend_args is None:
        img = cache.get(path)
    if img is None:
        img = _decode(path, results, frame, flag, backend_args)
    if channel_order == 'rgb' and img.ndim == 3:
        img = mmcv.bgr2rgb(img)
    return img


def _decode(path: str, results: Dict, frame: int, flag: str,
            backend_args: Dict) -> np.ndarray:
    """Read and decode one frame file (BGR), with errors that name it."""
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError:
        raise FileNotFoundError(
            f'{path}: frame {int(frame)} of sample {sample_name(results)} '
            'not found') from None
    try:
        check_complete(data, path)
    except ValueError as e:
        raise ValueError(f'{e} (frame {int(frame)} of sample '
                         f'{sample_name(results)})') from None
    img = mmcv.imfrombytes(data, flag=flag, channel_order='bgr')
    if img is None:
        raise ValueError(f'{path}: cannot decode the image (frame '
                         f'{int(frame)} of sample {sample_name(results)})')
    return img


@TRANSFORMS.register_module()
class LoadFramePair(BaseTransform):
    """Load the frames listed in ``frame_inds`` (onset first, then apex).

    Unlike MMAction2's ``RawFrameDecode``, a missing or undecodable frame
    stops with an error that names the file and the sample. Grayscale
    frames (SAMM) are expanded to three channels.

    Required keys: ``frame_dir``, ``frame_inds`` and ``filename_tmpl`` (when
    it is missing, it is found from the folder's file names, see
    :func:`~mmaction_tsfmicro.annotations.layouts.guess_filename_tmpl`).
    Added keys: ``imgs``, ``original_shape``, ``img_shape``.

    Args:
        channel_order (str): ``'rgb'`` or ``'bgr'``. Defaults to ``'rgb'``.
        backend_args (dict, optional): MMEngine file backend arguments.
        frame_cache (str, optional): A frame cache folder to read the
            frames from (:mod:`~mmaction_tsfmicro.datasets.frame_cache`);
            by default the sample's (the dataset's ``frame_cache``).
    """

    def __init__(self,
                 channel_order: str = 'rgb',
                 backend_args: Dict = None,
                 frame_cache: Optional[str] = None) -> None:
        self.channel_order = channel_order
        self.backend_args = backend_args
        self.frame_cache = frame_cache

    def transform(self, results: Dict) -> Dict:
        """Read the frames."""
        inds: Sequence[int] = np.asarray(results['frame_inds']).reshape(-1)
        if not results.get('filename_tmpl'):
            results['filename_tmpl'] = guess_filename_tmpl(
                results['frame_dir'], int(inds[0]))
        imgs = [
            read_frame(results, i, 'color', self.channel_order,
                       self.backend_args, self.frame_cache) for i in inds
        ]
        shapes = {img.shape for img in imgs}
        if len(shapes) != 1:
            raise ValueError(f'sample {sample_name(results)} in '
                             f"{results['frame_dir']}: frames "
                             f'{list(map(int, inds))} differ in size '
                             f'{sorted(shapes)}')
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'channel_order={self.channel_order!r})')
