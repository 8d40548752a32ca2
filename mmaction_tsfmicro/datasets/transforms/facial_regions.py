"""Facial-region tiles of a flow image, as HTNet's authors make them."""
from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .frame_pair import key_frame
from .loading import read_frame, sample_name

#: The five points HTNet's code falls back on when its detector finds no
#: face, in pixels of the 28 x 28 image, (x, y): left eye, right eye, nose,
#: left and right mouth corners (MTCNN's order).
FALLBACK_POINTS_28 = np.array(
    [[9.528073, 11.062551], [21.396168, 10.919773], [15.380184, 17.380562],
     [10.255435, 22.121233], [20.583706, 22.25584]], np.float64)


@TRANSFORMS.register_module()
class FacialRegionTiles(BaseTransform):
    """Four crops of a flow image around facial landmarks, tiled 2 x 2.

    HTNet (Wang et al., 2024) reads the onset-to-apex flow (``u``, ``v``,
    optical strain) of four facial regions, each ``size / 2`` pixels
    square, tiled into one ``size`` x ``size`` image. The regions are
    centred on five landmarks (eye centres, nose tip, mouth corners, in
    MTCNN's order) found on the apex frame, scaled to the flow's size and
    clamped to ``[size / 4, 3 size / 4]`` so that each crop stays inside.

    ``mode='official'`` reproduces the authors' code exactly: it indexes
    the image with a landmark's ``(x, y)`` as ``(row, column)`` and tiles
    the crops of the points 0, 1 (top row) and 3, 4 (bottom row); with
    ``(x, y)`` swapped these crops are, on a frontal face, the left eye and
    the left mouth corner (top row), the right eye and the right mouth
    corner (bottom row), each a little off its point. ``mode='regions'``
    centres each crop on its point (``(y, x)`` as row and column) and tiles
    the eyes on the top row and the mouth corners below.

    Landmarks: ``'detect'`` finds the face on the apex frame with the
    plugin's detector (the authors use MTCNN on the apex resized to 28 x
    28) and falls back on :data:`FALLBACK_POINTS_28`, as the authors' code
    does, when none is found or the detector gives no mouth corners;
    ``'fixed'`` always uses those points (faces aligned alike). Detected
    points are cached per sample (in each process).

    Required keys: ``imgs`` (one ``size`` x ``size`` x C image, e.g. of
    :class:`LoadFlow`); for ``'detect'`` also the sample's ``frame_dir``,
    ``filename_tmpl`` and apex.
    Modified keys: ``imgs``. Added keys: ``facial_points`` ((5, 2) (x, y) in
    pixels of the image).

    Args:
        mode (str): ``'official'`` or ``'regions'``. Defaults to
            ``'official'``.
        landmarks (str): ``'detect'`` or ``'fixed'``. Defaults to
            ``'detect'``.
        detector (str): The landmark detector for ``'detect'``. Defaults to
            ``'mediapipe'``.
    """

    MODES = ('official', 'regions')

    def __init__(self, mode: str = 'official', landmarks: str = 'detect',
                 detector: str = 'mediapipe') -> None:
        if mode not in self.MODES:
            raise ValueError(f'FacialRegionTiles: mode must be one of '
                             f'{self.MODES}, got {mode!r}')
        if landmarks not in ('detect', 'fixed'):
            raise ValueError("FacialRegionTiles: landmarks must be 'detect' "
                             f"or 'fixed', got {landmarks!r}")
        self.mode = mode
        self.landmarks = landmarks
        self.detector_name = detector
        self._cache: Dict[Tuple, np.ndarray] = {}

    def _detect(self, results: Dict) -> Optional[np.ndarray]:
        """The five points on the sample's apex frame, (x, y) in pixels of
        that frame, or None."""
        apex = key_frame(results, 'apex')
        key = (results['frame_dir'], apex)
        if key not in self._cache:
            from ...preprocessing.landmarks import build_detector
            frame = read_frame(results, apex, 'color', 'bgr')
            # built and closed for each new sample (about 30 ms): a
            # MediaPipe detector left open cannot be closed cleanly at
            # the interpreter's exit
            with build_detector(self.detector_name) as detector:
                face = detector.detect(frame)
            mouth = None if face is None else face.mouth_corners()
            points = None
            if mouth is not None and face.nose is not None:
                points = np.concatenate(
                    [face.eyes, face.nose[None], mouth]).astype(np.float64)
                points /= np.array([frame.shape[1], frame.shape[0]])
            self._cache[key] = points  # as fractions of the frame
        return self._cache[key]

    def points(self, results: Dict, size: int) -> np.ndarray:
        """The five points, (x, y) in pixels of the ``size`` image."""
        if self.landmarks == 'detect':
            found = self._detect(results)
            if found is not None:
                return found * size
        return FALLBACK_POINTS_28 * size / 28

    def transform(self, results: Dict) -> Dict:
        """Crop and tile."""
        (img, ) = results['imgs']
        size = img.shape[0]
        if img.shape[1] != size or size % 4:
            raise ValueError(f'sample {sample_name(results)}: '
                             'FacialRegionTiles needs a square image whose '
                             f'side is a multiple of 4, got {img.shape[:2]}')
        quarter = size // 4
        points = self.points(results, size)
        # the authors clamp, then truncate to integers
        centres = np.clip(points, quarter, size - quarter).astype(int)
        if self.mode == 'regions':
            centres = centres[:, ::-1]  # (x, y) -> (row, column)
        # 'official': (x, y) used as (row, column), as the authors' code

        def crop(i: int) -> np.ndarray:
            r, c = centres[i]
            return img[r - quarter:r + quarter, c - quarter:c + quarter]

        tiles = np.concatenate([
            np.concatenate([crop(0), crop(1)], axis=1),
            np.concatenate([crop(3), crop(4)], axis=1)
        ], axis=0)
        results['imgs'] = [np.ascontiguousarray(tiles)]
        results['facial_points'] = points
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'landmarks={self.landmarks!r})')
