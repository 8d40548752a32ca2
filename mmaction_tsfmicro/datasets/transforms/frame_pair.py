"""Choice of the (onset, apex) frame pair a sample is made of."""
import math
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .loading import read_frame, sample_name


def search_radius(onset: int, apex: int, ratio: float) -> int:
    """Frames the pair may move inwards: ``floor(ratio * (apex - onset))``.

    The official recipe uses ``ratio = 0.15 / 4`` for CASME II and
    CAS(ME)^3 and ``ratio = 0.1`` for SAMM.
    """
    return max(0, int(math.floor(ratio * (apex - onset) + 1e-9)))


def key_frame(results: Dict, role: str) -> int:
    """The ``onset``/``apex``/``offset`` frame number of a sample, under the
    dataset's name (``onset_frame``) or the annotation file's (``onset``).
    """
    for key in (f'{role}_frame', role):
        if results.get(key) is not None:
            return int(results[key])
    raise KeyError(f'sample {sample_name(results)}: no {role} frame (give '
                   f'{role}_frame or {role})')


@TRANSFORMS.register_module()
class SelectFramePair(BaseTransform):
    """Pick the frame pair of a sample and set ``frame_inds``.

    Modes:

    * ``'annotated'``: the annotated onset and apex (the test-time choice).
    * ``'max_diff'``: the official training re-selection: among the pairs
      ``(onset + i, apex - j)``, ``0 <= i, j <= r`` with
      ``r = floor(ratio * (apex - onset))``, the one whose frames differ
      most (L2 norm of the difference). Unlike the official code, which
      subtracts uint8 arrays and so wraps around, the distance is computed
      in float. The choice is deterministic, so it is cached per sample.
    * ``'jitter'``: a uniformly random pair from the same window, drawn
      anew for every call.
    * ``'estimated_apex'``: the annotated apex is not used. The apex is
      estimated as the frame of ``onset + 1 .. offset`` that differs most
      from the onset frame: the largest Euclidean (L2) norm of the float
      difference ``frame - onset`` over all pixels and channels of the
      frames as stored (the aligned faces), the earliest frame on a tie
      (the onset itself when ``offset == onset``). The search reads every
      frame of the clip once; its result is cached per sample.

    Required keys: ``onset_frame``, ``apex_frame`` (a sample of
    :class:`MicroExpressionDataset`), or ``onset``, ``apex`` (the
    annotation file's names, e.g. a dict given to MMAction2's
    ``inference_recognizer``); for ``'max_diff'`` and ``'estimated_apex'``
    also ``frame_dir`` and ``filename_tmpl``, for ``'estimated_apex'``
    ``offset_frame`` (or ``offset``) instead of the apex.
    Added keys: ``frame_inds`` (``[onset, apex]``), ``clip_len`` (2),
    ``num_clips`` (1), ``frame_interval`` (None); for
    ``'estimated_apex'`` also ``estimated_apex_frame``.

    Args:
        mode (str): ``'annotated'``, ``'max_diff'``, ``'jitter'`` or
            ``'estimated_apex'``. Defaults to ``'annotated'``.
        ratio (float): The window ratio ``r / (apex - onset)``.
            Defaults to ``0.0375`` (CASME II, CAS(ME)^3).
        backend_args (dict, optional): MMEngine file backend arguments.
        frame_cache (str, optional): A frame cache folder to read the
            frames from (:mod:`~mmaction_tsfmicro.datasets.frame_cache`);
            by default the sample's (the dataset's ``frame_cache``).
    """

    MODES = ('annotated', 'max_diff', 'jitter', 'estimated_apex')

    def __init__(self,
                 mode: str = 'annotated',
                 ratio: float = 0.15 / 4,
                 backend_args: Dict = None,
                 frame_cache: Optional[str] = None) -> None:
        if mode not in self.MODES:
            raise ValueError(f'SelectFramePair: mode must be one of '
                             f'{self.MODES}, got {mode!r}')
        if ratio < 0:
            raise ValueError(f'SelectFramePair: ratio must be >= 0, '
                             f'got {ratio}')
        self.mode = mode
        self.ratio = ratio
        self.backend_args = backend_args
        self.frame_cache = frame_cache
        self._cache: Dict[Tuple, Tuple[int, int]] = {}

    def candidates(self, onset: int, apex: int) -> List[Tuple[int, int]]:
        """Every pair ``(onset + i, apex - j)`` of the search window."""
        r = search_radius(onset, apex, self.ratio)
        return [(onset + i, apex - j) for i in range(r + 1)
                for j in range(r + 1) if onset + i < apex - j
                or (i == 0 and j == 0)]

    def _max_diff_pair(self, results: Dict, onset: int,
                       apex: int) -> Tuple[int, int]:
        key = (results['frame_dir'], results['filename_tmpl'], onset, apex)
        if key not in self._cache:
            pairs = self.candidates(onset, apex)
            frames = sorted({f for pair in pairs for f in pair})
            imgs = {
                f: read_frame(results, f, 'color', 'bgr',
                              self.backend_args, self.frame_cache).astype(np.float32)
                for f in frames
            }
            dists = [float(np.linalg.norm(imgs[a] - imgs[o]))
                     for o, a in pairs]
            # first maximum: ties go to the annotated pair, listed first
            self._cache[key] = pairs[int(np.argmax(dists))]
        return self._cache[key]

    def estimated_apex(self, results: Dict, onset: int) -> int:
        """The frame of ``onset + 1 .. offset`` farthest (L2) from the
        onset frame (``'estimated_apex'``)."""
        offset = key_frame(results, 'offset')
        if offset < onset:
            raise ValueError(f'sample {sample_name(results)}: offset '
                             f'{offset} comes before onset {onset}')
        key = ('apex', results['frame_dir'], results['filename_tmpl'], onset,
               offset)
        if key not in self._cache:
            ref = read_frame(results, onset, 'color', 'bgr',
                             self.backend_args, self.frame_cache).astype(np.float32)
            best, best_dist = onset, -1.
            for frame in range(onset + 1, offset + 1):
                img = read_frame(results, frame, 'color', 'bgr',
                                 self.backend_args, self.frame_cache).astype(np.float32)
                if img.shape != ref.shape:
                    raise ValueError(
                        f'sample {sample_name(results)}: frame {frame} is '
                        f'{img.shape}, the onset {ref.shape}')
                dist = float(np.linalg.norm(img - ref))
                if dist > best_dist:  # strict: the earliest maximum wins
                    best, best_dist = frame, dist
            self._cache[key] = (onset, best)
        return self._cache[key][1]

    def transform(self, results: Dict) -> Dict:
        """Set ``frame_inds`` to the chosen pair."""
        onset = key_frame(results, 'onset')
        if self.mode == 'estimated_apex':
            apex = self.estimated_apex(results, onset)
            results['estimated_apex_frame'] = apex
        else:
            apex = key_frame(results, 'apex')
        if apex < onset:
            raise ValueError(f'sample {sample_name(results)}: apex {apex} '
                             f'comes before onset {onset}')
        if self.mode in ('annotated', 'estimated_apex'):
            pair = (onset, apex)
        elif self.mode == 'max_diff':
            pair = self._max_diff_pair(results, onset, apex)
        else:
            pairs = self.candidates(onset, apex)
            pair = pairs[np.random.randint(len(pairs))]
        results['frame_inds'] = np.array(pair, dtype=np.int64)
        results['clip_len'] = 2
        results['num_clips'] = 1
        results['frame_interval'] = None
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'ratio={self.ratio})')
