"""A clip given as a video file or a frame folder, with or without its key
frames: the onset/apex pair found, read and aligned inside the pipeline.

:class:`LoadClipKeyFrames` makes MMAction2's own inference routes work on a
plain clip: ``inference_recognizer(model, 'clip.mp4')`` and
``MMAction2Inferencer(..., input_format='video' | 'rawframes')`` give a
sample with ``filename`` (or ``frame_dir``) and no onset or apex; the
transform reads the clip, aligns the face as the checkpoint's training
frames were aligned and picks the pair.
"""
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from mmaction.registry import TRANSFORMS
from ...annotations.layouts import numbered_frames
from ...preprocessing.alignment.frames import (AlignmentError, check_aligned,
                                               estimate_apex, track_clip)
from ...preprocessing.clip_spec import ALIGNMENT_FILE
from ...preprocessing.image_io import read_image
from ...preprocessing.video import iter_frames


def _given(results: Dict, role: str) -> Optional[int]:
    for key in (role, f'{role}_frame'):
        if results.get(key) is not None:
            return int(results[key])
    return None


@TRANSFORMS.register_module()
class LoadClipKeyFrames(BaseTransform):
    """Read the onset and apex frames of a plain clip, finding them when the
    sample does not name them, and align the face like the training frames.

    The clip is a video file (``filename``, frames counted from 0) or a
    folder of numbered frames (``frame_dir``, frames named by the number of
    their file). ``onset`` (or ``onset_frame``) defaults to the first frame;
    without an ``apex`` the clip's frames up to ``offset`` (or its end) are
    read, aligned, and the apex is the frame that differs most from both
    ends (:func:`~mmaction_tsfmicro.preprocessing.alignment.frames.
    estimate_apex`).

    With ``face_alignment`` (the ``preprocessing`` record of the checkpoint:
    ``alignment`` and ``detector``), frames that are not aligned already
    are aligned to the onset's face as training clips were, and tracked to
    measure the head's motion; beyond ``max_motion`` they are stabilized by
    the tracking, with a warning (:func:`~mmaction_tsfmicro.preprocessing.
    alignment.frames.track_clip`). A folder written by
    ``tools/data/preprocess_faces.py`` (it holds ``alignment.json``) or a
    sample with ``aligned=True`` is taken as aligned; its first frame is
    checked to hold a face of the aligned size and place.

    Required keys: ``filename`` or ``frame_dir``.
    Added keys: ``imgs`` (RGB ``[onset, apex]``), ``frame_inds``,
    ``clip_len`` (2), ``num_clips`` (1), ``frame_interval`` (None),
    ``img_shape``, ``original_shape``, ``key_frames`` (``onset``,
    ``apex``, ``apex_estimated``, ``frames_read``), ``alignment`` (the
    record, or None) and ``warnings`` (a list of sentences).

    Args:
        face_alignment (dict, optional): The checkpoint's face
            preprocessing; None takes every clip as aligned.
        max_frames (int): Most frames read to find an apex; a longer clip
            is refused (spot its micro-expressions first). Defaults to 300.
        max_motion (float, optional): Head motion (pixels of the crop)
            beyond which frames are stabilized, with a warning; by default
            :data:`~mmaction_tsfmicro.preprocessing.alignment.frames.
            MAX_HEAD_MOTION_PX` at 112 pixels, scaled.
        log_warnings (bool): Print the warnings to MMEngine's logger too
            (they are always in ``warnings``). Defaults to True.
    """

    def __init__(self,
                 face_alignment: Optional[Dict[str, Any]] = None,
                 max_frames: int = 300,
                 max_motion: Optional[float] = None,
                 log_warnings: bool = True) -> None:
        if max_frames < 2:
            raise ValueError(f'LoadClipKeyFrames: max_frames must be >= 2, '
                             f'got {max_frames}')
        if face_alignment is not None and 'alignment' not in face_alignment:
            raise ValueError('LoadClipKeyFrames: face_alignment needs '
                             "'alignment' (the checkpoint's preprocessing "
                             'record)')
        self.face_alignment = face_alignment
        self.max_frames = int(max_frames)
        self.max_motion = max_motion
        self.log_warnings = log_warnings

    def _read(self, results: Dict) -> Tuple[str, List[int], List, bool]:
        """The clip's name, the numbers and BGR images of the frames from
        the onset to the apex (or the end), and whether they are aligned."""
        onset, apex = _given(results, 'onset'), _given(results, 'apex')
        offset = _given(results, 'offset')
        if results.get('frame_dir'):
            folder = results['frame_dir']
            files = dict(numbered_frames(folder))
            numbers = sorted(files)
            onset = numbers[0] if onset is None else onset
            last = apex if apex is not None else (
                offset if offset is not None else numbers[-1])
            wanted = [n for n in numbers if onset <= n <= last]
            missing = sorted({onset, last} - set(wanted))
            if missing:
                raise FileNotFoundError(
                    f'{folder}: no frame numbered {missing[0]} (frames '
                    f'{numbers[0]}..{numbers[-1]})')
            self._check_length(folder, len(wanted), apex)
            images = [read_image(files[n], cv2.IMREAD_COLOR, f'frame {n}')
                      for n in wanted]
            aligned = results.get('aligned')
            if aligned is None:
                aligned = osp.isfile(osp.join(folder, ALIGNMENT_FILE))
            return folder, wanted, images, bool(aligned)
        if not results.get('filename'):
            raise KeyError('LoadClipKeyFrames: the sample has neither '
                           'filename (a video) nor frame_dir')
        path = results['filename']
        onset = 0 if onset is None else onset
        last = apex if apex is not None else offset
        images = []
        for i, frame in enumerate(iter_frames(path)):
            if last is not None and i > last:
                break
            if i >= onset:
                images.append(frame)
                if last is None:
                    self._check_length(path, len(images), apex)
        if last is not None and onset + len(images) - 1 < last:
            raise ValueError(f'{path}: has {onset + len(images)} frames; '
                             f'frame {last} was asked for')
        if not images:
            raise ValueError(f'{path}: has no frame {onset}')
        numbers = list(range(onset, onset + len(images)))
        return path, numbers, images, bool(results.get('aligned', False))

    def _check_length(self, name: str, count: int,
                      apex: Optional[int]) -> None:
        if apex is None and count > self.max_frames:
            raise ValueError(
                f'{name}: more than {self.max_frames} frames to search for '
                'an apex (max_frames); a micro-expression clip is shorter: '
                'give its onset and apex, or spot the micro-expressions of '
                'a long video first (docs/inference.md)')

    def pair(self, name: str, numbers: List[int], images: List[np.ndarray],
             aligned: bool, apex_given: bool) -> Dict:
        """Align frames read from a clip and choose its pair.

        Args:
            name (str): The clip in messages.
            numbers (list[int]): The frames' numbers, the onset first.
            images (list[np.ndarray]): The BGR (or gray) frames.
            aligned (bool): Whether they are aligned already.
            apex_given (bool): The last frame is the apex; else it is
                estimated.

        Returns:
            dict: The keys this transform adds (see the class).
        """
        if len(images) < 2:
            raise ValueError(f'{name}: the clip has one frame from the onset '
                             f'(frame {numbers[0]}); an onset and an apex '
                             'are needed')
        warnings, record = [], None
        if self.face_alignment is not None and not aligned:
            try:
                images, record = track_clip(
                    images, self.face_alignment,
                    f'the onset (frame {numbers[0]})', self.max_motion)
            except AlignmentError as e:
                raise ValueError(f'{name}: {e}') from None
            if record['warning']:
                warnings.append(f"{name}: {record['warning']}")
        elif self.face_alignment is not None:
            warning = check_aligned(images[0], self.face_alignment,
                                    f'{name} (frame {numbers[0]})')
            if warning:
                warnings.append(warning)
        pick = len(images) - 1 if apex_given else estimate_apex(images)
        for warning in warnings if self.log_warnings else []:
            print_log(warning, logger='current', level=30)
        imgs = [cv2.cvtColor(images[i], cv2.COLOR_BGR2RGB) if
                images[i].ndim == 3 else cv2.cvtColor(images[i],
                                                      cv2.COLOR_GRAY2RGB)
                for i in (0, pick)]
        if record is not None:
            record = dict(record, moved_px=record['moved_px'][pick],
                          residual_px=max(record['residual_px'][:pick + 1]))
        return dict(
            imgs=imgs, img_shape=imgs[0].shape[:2],
            original_shape=imgs[0].shape[:2],
            frame_inds=np.array([numbers[0], numbers[pick]], dtype=np.int64),
            clip_len=2, num_clips=1, frame_interval=None,
            key_frames=dict(onset=numbers[0], apex=numbers[pick],
                            apex_estimated=not apex_given,
                            frames_read=len(images)),
            alignment=record, warnings=warnings)

    def transform(self, results: Dict) -> Dict:
        """Read, align and choose the pair."""
        name, numbers, images, aligned = self._read(results)
        results.update(self.pair(name, numbers, images, aligned,
                                 _given(results, 'apex') is not None))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(face_alignment='
                f'{self.face_alignment}, max_frames={self.max_frames})')
