"""N frames of a sample, from its onset to its apex or offset.

The frame-pair pipelines read two frames; multi-frame models (3-D CNNs,
video transformers, sequence models) read a clip of ``N`` frames.
:class:`SampleClipFrames` picks and loads them in one step, through the
same reading function as :class:`~.loading.LoadFramePair` (so a missing or
undecodable frame is named, grayscale frames are expanded, and whatever
that function learns, e.g. a frame cache, serves both).

Two modes:

* ``'uniform'``: the ``N`` frame numbers ``round(linspace(onset, end,
  N))``: both ends are kept and the frames in between are spread evenly;
  a clip shorter than ``N`` frames repeats frames (each position takes
  its nearest frame).
* ``'interpolate'``: temporal interpolation to exactly ``N`` frames, as
  the temporal interpolation model (TIM; Zhou, Zhao and Pietikainen,
  CVPR 2011) is used in micro-expression work (Pfister et al., ICCV 2011):
  a clip shorter than ``N`` is stretched, a longer one compressed. Here
  the ``N`` positions ``linspace(onset, end, N)`` are taken on the
  (fractional) frame axis and each output frame is the **linear**
  interpolation of its two neighbouring frames,
  ``(1 - w) * frame[floor(p)] + w * frame[floor(p) + 1]`` with
  ``w = p - floor(p)``, not TIM's graph embedding (which fits a curve
  through all frames of the clip). Output frames are float32, so the
  blend keeps sub-level intensity changes.
"""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...annotations.layouts import guess_filename_tmpl
from .frame_pair import key_frame
from .loading import read_frame, sample_name


def uniform_frames(start: int, end: int, num: int) -> np.ndarray:
    """``num`` frame numbers spread evenly over ``start..end``, both kept.

    Args:
        start (int): First frame number.
        end (int): Last frame number (``>= start``).
        num (int): How many frames.

    Returns:
        np.ndarray: int64 frame numbers in time order (repeated when the
        span holds fewer than ``num`` frames).
    """
    if num == 1:
        return np.array([start], dtype=np.int64)
    positions = start + (end - start) * np.arange(num) / (num - 1)
    # round half up, so that ties do not depend on numpy's even rounding
    return np.floor(positions + 0.5).astype(np.int64)


def interpolation_positions(start: int, end: int, num: int) -> np.ndarray:
    """The ``num`` fractional frame positions ``linspace(start, end, num)``
    (``[start]`` for one frame)."""
    if num == 1:
        return np.array([float(start)])
    return start + (end - start) * np.arange(num, dtype=np.float64) / (num -
                                                                       1)


@TRANSFORMS.register_module()
class SampleClipFrames(BaseTransform):
    """Pick and load ``num_frames`` frames from the onset to the apex or the
    offset of a sample.

    Output contract: ``imgs`` is a list of ``num_frames`` (H, W, 3) frames
    in time order (the onset first, the ``end`` frame last), ``clip_len``
    is ``num_frames`` and ``num_clips`` 1, so ``FormatShape('NCTHW')``
    gives (1, 3, N, H, W) and MMAction2's spatial transforms (``Resize``,
    ``Flip``, ``CenterCrop``...) and the plugin's (``RandomRotate``,
    ``PaddedRandomCrop``) treat every frame alike.

    Required keys: ``frame_dir``, ``filename_tmpl`` (guessed from the
    folder when missing), ``onset_frame`` and ``apex_frame`` or
    ``offset_frame`` (or the annotation file's ``onset``, ``apex``,
    ``offset``).
    Added keys: ``imgs``, ``frame_inds`` (``'uniform'``: the int64 frame
    numbers read; ``'interpolate'``: the float64 positions interpolated
    at), ``clip_len``, ``num_clips`` (1), ``frame_interval`` (None),
    ``img_shape``, ``original_shape``.

    Args:
        num_frames (int): Frames of the clip (N >= 1).
        end (str): ``'apex'`` or ``'offset'``: the last frame of the span.
            Defaults to ``'apex'``.
        mode (str): ``'uniform'`` (frames as they are, uint8) or
            ``'interpolate'`` (linear temporal interpolation, float32; see
            the module docstring). Defaults to ``'uniform'``.
        channel_order (str): ``'rgb'`` or ``'bgr'``. Defaults to ``'rgb'``.
        backend_args (dict, optional): MMEngine file backend arguments.
        frame_cache (str, optional): A frame cache folder to read the
            frames from (:mod:`~mmaction_tsfmicro.datasets.frame_cache`);
            by default the sample's (the dataset's ``frame_cache``).
    """

    ENDS = ('apex', 'offset')
    MODES = ('uniform', 'interpolate')

    def __init__(self,
                 num_frames: int,
                 end: str = 'apex',
                 mode: str = 'uniform',
                 channel_order: str = 'rgb',
                 backend_args: Dict = None,
                 frame_cache: Optional[str] = None) -> None:
        if not isinstance(num_frames, int) or num_frames < 1:
            raise ValueError('SampleClipFrames: num_frames must be an int '
                             f'>= 1, got {num_frames!r}')
        if end not in self.ENDS:
            raise ValueError(f'SampleClipFrames: end must be one of '
                             f'{self.ENDS}, got {end!r}')
        if mode not in self.MODES:
            raise ValueError(f'SampleClipFrames: mode must be one of '
                             f'{self.MODES}, got {mode!r}')
        self.num_frames = num_frames
        self.end = end
        self.mode = mode
        self.channel_order = channel_order
        self.backend_args = backend_args
        self.frame_cache = frame_cache

    def _span(self, results: Dict) -> Sequence[int]:
        onset = key_frame(results, 'onset')
        last = key_frame(results, self.end)
        if last < onset:
            raise ValueError(f'sample {sample_name(results)}: {self.end} '
                             f'{last} comes before onset {onset}')
        return onset, last

    def _reader(self, results: Dict):
        """A frame reader that reads each frame number once."""
        cache: Dict[int, np.ndarray] = {}

        def read(frame: int) -> np.ndarray:
            if frame not in cache:
                cache[frame] = read_frame(results, frame, 'color',
                                          self.channel_order,
                                          self.backend_args,
                                          self.frame_cache)
            return cache[frame]

        return read

    def _interpolate(self, read, positions: np.ndarray,
                     last: int) -> List[np.ndarray]:
        imgs = []
        for p in positions:
            low = min(int(math.floor(p)), last)
            w = float(p - low)
            frame = read(low).astype(np.float32)
            if w > 1e-9:
                frame = (1 - w) * frame + w * read(low + 1).astype(
                    np.float32)
            imgs.append(frame.astype(np.float32, copy=False))
        return imgs

    def transform(self, results: Dict) -> Dict:
        """Choose the frames and load them."""
        onset, last = self._span(results)
        if not results.get('filename_tmpl'):
            results['filename_tmpl'] = guess_filename_tmpl(
                results['frame_dir'], onset)
        read = self._reader(results)
        if self.mode == 'uniform':
            inds = uniform_frames(onset, last, self.num_frames)
            imgs = [read(int(i)) for i in inds]
        else:
            inds = interpolation_positions(onset, last, self.num_frames)
            imgs = self._interpolate(read, inds, last)
        shapes = {img.shape for img in imgs}
        if len(shapes) != 1:
            raise ValueError(f'sample {sample_name(results)} in '
                             f"{results['frame_dir']}: frames {onset}.."
                             f'{last} differ in size {sorted(shapes)}')
        results['imgs'] = imgs
        results['frame_inds'] = inds
        results['clip_len'] = self.num_frames
        results['num_clips'] = 1
        results['frame_interval'] = None
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'end={self.end!r}, mode={self.mode!r})')
