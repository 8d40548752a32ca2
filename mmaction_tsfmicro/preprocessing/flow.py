"""Dense optical flow between two frames and the optical strain.

Methods (all OpenCV, CPU):

- ``tvl1``: Dual TV-L1 (``cv2.optflow.DualTVL1OpticalFlow``, opencv-contrib),
  the usual choice of micro-expression work, with OpenCV's defaults (5
  scales, 5 warps, stopping threshold ``epsilon=0.01``); on aligned face
  pairs ``epsilon=0.02`` halves the time at a small loss of accuracy;
- ``dis``: Dense Inverse Search (``cv2.DISOpticalFlow``), fast;
- ``farneback``: Farneback's polynomial expansion
  (``cv2.calcOpticalFlowFarneback``).

A flow field is a (H, W, 2) float32 array ``(u, v)`` in pixels: the onset
frame's pixel ``(x, y)`` is found at ``(x + u, y + v)`` in the apex frame.

Saved samples: one ``.npy`` file per annotated sample, float16, shape
(H, W, 3), channels ``u, v, strain`` (see :data:`FLOW_CHANNELS`), at
:data:`FLOW_PATH_TMPL` under the output root.
"""
import os.path as osp
from typing import Dict, Optional

import cv2
import numpy as np

from ..utils.fileio import atomic_path

FLOW_METHODS = ('tvl1', 'dis', 'farneback')
FLOW_CHANNELS = ('u', 'v', 'strain')
#: Where a sample's flow file lies under the flow root (str.format fields
#: from the sample: dataset, subject, clip, onset, apex).
FLOW_PATH_TMPL = '{subject}/{clip}/flow_{onset}_{apex}.npy'
FLOW_META_FILE = 'flow_meta.json'


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[..., 0]
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def build_flow(method: str = 'tvl1', **kwargs) -> 'FlowEstimator':
    """Build a reusable flow estimator by name.

    Args:
        method (str): One of :data:`FLOW_METHODS`.
        **kwargs: Method options (see :class:`FlowEstimator`).

    Returns:
        FlowEstimator: The estimator.
    """
    return FlowEstimator(method, **kwargs)


class FlowEstimator:
    """A dense optical flow method with its options, built once.

    Args:
        method (str): ``'tvl1'``, ``'dis'`` or ``'farneback'``.
        scales (int): TV-L1 pyramid levels.
        warps (int): TV-L1 warps per level.
        epsilon (float): TV-L1 stopping threshold of the inner iterations
            (larger is faster and coarser).
        dis_preset (str): DIS preset, ``'ultrafast'``, ``'fast'`` or
            ``'medium'``.
        farneback (dict, optional): Overrides of the Farneback parameters
            ``pyr_scale, levels, winsize, iterations, poly_n, poly_sigma``.
    """

    _FARNEBACK = dict(
        pyr_scale=0.5,
        levels=3,
        winsize=15,
        iterations=3,
        poly_n=5,
        poly_sigma=1.2)
    _DIS = {
        'ultrafast': cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
        'fast': cv2.DISOPTICAL_FLOW_PRESET_FAST,
        'medium': cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
    }

    def __init__(self,
                 method: str = 'tvl1',
                 scales: int = 5,
                 warps: int = 5,
                 epsilon: float = 0.01,
                 dis_preset: str = 'medium',
                 farneback: Optional[Dict] = None) -> None:
        if method not in FLOW_METHODS:
            raise KeyError(f'unknown optical flow method {method!r}; choose '
                           f'one of {list(FLOW_METHODS)}')
        self.method = method
        self.options: Dict = {}
        if method == 'tvl1':
            if not hasattr(cv2, 'optflow'):
                raise ImportError(
                    'TV-L1 flow needs cv2.optflow from opencv-contrib-python;'
                    ' install `opencv-contrib-python` (same version as '
                    'opencv-python)')
            self._impl = cv2.optflow.DualTVL1OpticalFlow_create(
                nscales=scales, warps=warps, epsilon=epsilon)
            self.options = dict(scales=scales, warps=warps, epsilon=epsilon)
        elif method == 'dis':
            if dis_preset not in self._DIS:
                raise KeyError(f'unknown DIS preset {dis_preset!r}; choose '
                               f'one of {sorted(self._DIS)}')
            self._impl = cv2.DISOpticalFlow_create(self._DIS[dis_preset])
            self.options = dict(dis_preset=dis_preset)
        else:
            self.options = dict(self._FARNEBACK, **(farneback or {}))

    def __call__(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Flow from ``first`` to ``second``.

        Args:
            first (np.ndarray): Gray (H, W) or BGR (H, W, 3) image.
            second (np.ndarray): Same size as ``first``.

        Returns:
            np.ndarray: (H, W, 2) float32 flow in pixels.
        """
        if first.shape[:2] != second.shape[:2]:
            raise ValueError('flow needs two images of one size, got '
                             f'{first.shape[:2]} and {second.shape[:2]}')
        a = _as_uint8(_gray(first))
        b = _as_uint8(_gray(second))
        if self.method == 'farneback':
            o = self.options
            flow = cv2.calcOpticalFlowFarneback(a, b, None, o['pyr_scale'],
                                                o['levels'], o['winsize'],
                                                o['iterations'], o['poly_n'],
                                                o['poly_sigma'], 0)
        else:
            flow = self._impl.calc(a, b, None)
        return flow.astype(np.float32, copy=False)


def compute_flow(first: np.ndarray,
                 second: np.ndarray,
                 method: str = 'tvl1',
                 **kwargs) -> np.ndarray:
    """One-off flow from ``first`` to ``second`` (see :class:`FlowEstimator`).

    Args:
        first (np.ndarray): Gray or BGR image.
        second (np.ndarray): Same size as ``first``.
        method (str): One of :data:`FLOW_METHODS`.
        **kwargs: Method options.

    Returns:
        np.ndarray: (H, W, 2) float32 flow in pixels.
    """
    return FlowEstimator(method, **kwargs)(first, second)


def optical_strain(flow: np.ndarray) -> np.ndarray:
    """Magnitude of the optical strain tensor of a flow field.

    With ``u_x = du/dx`` etc. (central differences, in pixels), the
    infinitesimal strain tensor is ``[[u_x, (u_y + v_x) / 2],
    [(u_y + v_x) / 2, v_y]]`` and its Frobenius norm is
    ``sqrt(u_x**2 + v_y**2 + (u_y + v_x)**2 / 2)``. A pure translation or a
    pure rotation gives 0; it measures how the skin deforms.

    Args:
        flow (np.ndarray): (H, W, 2) flow.

    Returns:
        np.ndarray: (H, W) float32 strain magnitude (unitless).
    """
    flow = np.asarray(flow, np.float32)
    u_y, u_x = np.gradient(flow[..., 0])
    v_y, v_x = np.gradient(flow[..., 1])
    return np.sqrt(u_x**2 + v_y**2 + 0.5 * (u_y + v_x)**2).astype(np.float32)


def flow_sample(first: np.ndarray, second: np.ndarray,
                estimator: FlowEstimator) -> np.ndarray:
    """Return the (H, W, 3) float32 ``u, v, strain`` array of a frame pair."""
    flow = estimator(first, second)
    return np.concatenate([flow, optical_strain(flow)[..., None]], axis=2)


def warp_by_flow(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward-warp ``image`` (the second frame) to the first frame.

    ``out[y, x] = image[y + v, x + u]``: if ``flow`` is the flow from the
    first frame to ``image``, ``out`` reproduces the first frame.

    Args:
        image (np.ndarray): Gray or colour image.
        flow (np.ndarray): (H, W, 2) flow.

    Returns:
        np.ndarray: The warped image.
    """
    h, w = flow.shape[:2]
    grid = np.stack(np.meshgrid(np.arange(w), np.arange(h)), -1)
    maps = (grid + flow).astype(np.float32)
    return cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)


def flow_path(root: str, sample: Dict, tmpl: str = FLOW_PATH_TMPL) -> str:
    """Return where a sample's flow file lies under ``root``.

    Args:
        root (str): Flow root folder.
        sample (dict): Needs the fields used by ``tmpl``: ``subject``,
            ``clip``, ``onset``, ``apex`` (``dataset`` if used); the
            pipeline's ``onset_frame``/``apex_frame`` are accepted too.
        tmpl (str): Path template relative to ``root``.

    Returns:
        str: The path.
    """
    fields = dict(sample)
    for key in ('onset', 'apex'):
        if key not in fields and f'{key}_frame' in fields:
            fields[key] = fields[f'{key}_frame']
    for key in ('onset', 'apex'):
        if key in fields:
            fields[key] = int(fields[key])
    try:
        rel = tmpl.format(**fields)
    except KeyError as exc:
        raise KeyError(f'flow path template {tmpl!r} needs the sample key '
                       f'{exc.args[0]!r}') from None
    return osp.join(root, rel)


def save_flow(path: str, sample: np.ndarray) -> None:
    """Save a (H, W, C) flow sample as float16 ``.npy``, atomically.

    Args:
        path (str): Output ``.npy`` file (its folder is created).
        sample (np.ndarray): The ``u, v, strain`` array.
    """
    sample = np.asarray(sample)
    if sample.ndim != 3 or sample.shape[2] != len(FLOW_CHANNELS):
        raise ValueError(f'a flow sample is (H, W, {len(FLOW_CHANNELS)}), '
                         f'got {sample.shape}')
    if not np.isfinite(sample).all():
        raise ValueError(f'flow sample for {path} holds NaN or inf values')
    with atomic_path(path) as tmp:  # the name keeps the .npy extension
        np.save(tmp, sample.astype(np.float16))


def flow_file_complete(path: str) -> bool:
    """Whether a ``.npy`` file holds all the data its header announces (a
    file cut short by a copy does not; the header gives the size).

    Args:
        path (str): The ``.npy`` file.

    Returns:
        bool: False for a missing, unreadable or cut-short file.
    """
    try:
        with open(path, 'rb') as f:
            major, _ = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if major == 1
                           else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(f)
            start = f.tell()
    except (OSError, ValueError):
        return False
    expected = start + int(np.prod(shape)) * np.dtype(dtype).itemsize
    return osp.getsize(path) == expected


def load_flow(path: str) -> np.ndarray:
    """Load a flow sample saved by :func:`save_flow` as float32.

    Args:
        path (str): The ``.npy`` file.

    Returns:
        np.ndarray: (H, W, 3) float32 ``u, v, strain``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'flow file not found: {path}')
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f'{path}: not a flow .npy file ({exc})') from None
    if data.ndim != 3 or data.shape[2] != len(FLOW_CHANNELS):
        raise ValueError(f'{path}: a flow sample is (H, W, '
                         f'{len(FLOW_CHANNELS)}), got {data.shape}')
    return data.astype(np.float32)
