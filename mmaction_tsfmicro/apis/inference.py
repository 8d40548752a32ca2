"""Recognition of one clip with a trained model (``tools/infer.py``).

:func:`init_model` builds a recognizer from a config and a checkpoint (a
released one, :mod:`.publish`, is checked against its hash);
:func:`inference_clip` classifies one clip given as

* ``dict(frames=[onset, apex])``: an aligned onset/apex pair, as image
  files or RGB arrays;
* ``dict(frame_dir=DIR, onset=N, apex=M)``: a folder of numbered frames
  (numbers as in the file names);
* ``dict(video=FILE, onset=N, apex=M)``: a video and two frame indices
  (0-based, as OpenCV counts), or ``onset_time``/``apex_time`` in seconds.

A folder or a video without ``apex`` is one clip from ``onset`` (its first
frame by default) to ``offset`` (its end by default), whose apex is
estimated. Frames that are not aligned (a video, a folder without the
``alignment.json`` of ``tools/data/preprocess_faces.py``) are aligned with
the preprocessing the checkpoint records, as the training frames were; a
head that moves more than training heads did is stabilized by tracking,
with a warning. The result is
MMAction2's ``ActionDataSample`` with the class names.

MMAction2's own ``init_recognizer`` / ``inference_recognizer`` take the
second form too (``dict(frame_dir=..., onset=..., apex=...)``).
"""
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

from ..engine.checkpoint import CheckpointError, load_weights, read_checkpoint
from ..engine.runner_args import load_config
from ..preprocessing.alignment.frames import (AlignmentError, check_aligned,
                                              track_clip)
from ..preprocessing.clip_spec import ALIGNMENT_FILE
from ..preprocessing.image_io import read_image
from ..preprocessing.video import video_fps

#: The transforms that choose and read the frames: inference gives frames
#: itself, and the test pipeline runs from after them.
SOURCE_TRANSFORMS = ('SelectFramePair', 'LoadFramePair', 'LoadClipKeyFrames')


class ClipError(ValueError):
    """A clip given for inference cannot be read; the message says why."""


def init_model(config: Union[str, Config, None],
               checkpoint: str,
               device: str = 'cpu') -> torch.nn.Module:
    """Build the recognizer of ``config`` with the weights of
    ``checkpoint``.

    Args:
        config (str | Config, optional): The config; None takes the one the
            checkpoint was trained with (its ``meta['cfg']``).
        checkpoint (str): A checkpoint (a released file is checked against
            the hash in its name).
        device (str): ``'cpu'`` or ``'cuda[:i]'``.

    Returns:
        torch.nn.Module: The model in eval mode, with ``cfg``,
        ``dataset_meta`` (``classes``) and ``preprocessing`` (the face
        alignment of its training frames, or None).
    """
    from mmaction.registry import MODELS

    import mmaction_tsfmicro.plugin  # noqa: F401  (registers the modules)
    ckpt = read_checkpoint(checkpoint)
    meta = ckpt.get('meta') or {}
    config_name = config if isinstance(config, str) else None
    if config is None:
        if not meta.get('cfg'):
            raise CheckpointError(f'{checkpoint}: holds no config; give one')
        config = Config.fromstring(meta['cfg'], '.py')
        config_name = 'the checkpoint records'
    elif isinstance(config, str):
        config = load_config(config)
    init_default_scope(config.get('default_scope', 'mmaction'))
    model = MODELS.build(config.model)
    load_weights(model, checkpoint, config_name, ckpt=ckpt)
    classes = meta.get('classes') or (meta.get('dataset_meta')
                                      or {}).get('classes')
    model.cfg = config
    model.dataset_meta = dict(classes=list(classes) if classes else None)
    model.preprocessing = meta.get('preprocessing')
    model.to(device)
    model.eval()
    return model


def _frame_index(clip: Dict, role: str, fps: float) -> Optional[int]:
    if clip.get(role) is not None:
        return int(clip[role])
    if clip.get(f'{role}_time') is not None:
        return int(round(float(clip[f'{role}_time']) * fps))
    return None


def _check_pair(source: str, onset: Optional[int],
                apex: Optional[int]) -> None:
    if onset is not None and apex is not None and apex <= onset:
        raise ClipError(
            f'{source}: the apex (frame {apex}) must come after the onset '
            f'(frame {onset})' + ('; they are the same frame'
                                  if apex == onset else ''))


def read_pair(clip: Dict[str, Any]) -> List[np.ndarray]:
    """The two frames of ``dict(frames=[onset, apex])`` (BGR)."""
    frames = []
    for item in clip['frames']:
        if isinstance(item, np.ndarray):
            frames.append(cv2.cvtColor(item, cv2.COLOR_RGB2BGR))
        else:
            frames.append(read_image(str(item), cv2.IMREAD_COLOR,
                                     f'frame {item}'))
    if len(frames) != 2:
        raise ClipError(f'give two frames (onset, apex), got {len(frames)}')
    return frames


def clip_sample(clip: Dict[str, Any]) -> Tuple[Dict, bool]:
    """The pipeline sample of a video or frame-folder clip (for
    :class:`~mmaction_tsfmicro.datasets.transforms.LoadClipKeyFrames`) and
    whether its frames are aligned already."""
    if 'video' in clip:
        path = str(clip['video'])
        if not osp.isfile(path):
            raise ClipError(f'{path}: video not found')
        fps = video_fps(path)
        onset = _frame_index(clip, 'onset', fps)
        apex = _frame_index(clip, 'apex', fps)
        _check_pair(path, onset, apex)
        return dict(filename=path, onset=onset, apex=apex, fps=fps,
                    offset=clip.get('offset')), bool(clip.get('aligned',
                                                              False))
    if 'frame_dir' in clip:
        folder = str(clip['frame_dir'])
        onset, apex = clip.get('onset'), clip.get('apex')
        _check_pair(folder, onset, apex)
        aligned = clip.get('aligned')
        if aligned is None:  # preprocess_faces.py leaves its record
            aligned = osp.isfile(osp.join(folder, ALIGNMENT_FILE))
        return dict(frame_dir=folder, onset=onset, apex=apex,
                    offset=clip.get('offset')), bool(aligned)
    raise ClipError('a clip is dict(frames=[onset, apex]), dict(frame_dir='
                    '..., onset=..., apex=...) or dict(video=..., onset=..., '
                    'apex=...)')


def pipeline_after_loading(cfg: Config) -> Compose:
    """The config's test pipeline after the transforms that read frames."""
    pipeline = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
    types = [t['type'] for t in pipeline]
    last = max((i for i, t in enumerate(types) if t in SOURCE_TRANSFORMS),
               default=-1)
    if last < 0:
        raise ClipError('the config\'s test pipeline does not read an '
                        'onset/apex pair (no LoadFramePair)')
    return Compose(pipeline[last + 1:])


def _preprocessing(model: torch.nn.Module) -> Dict:
    preprocessing = getattr(model, 'preprocessing', None)
    if not preprocessing:
        raise ClipError(
            'the frames need aligning, but the checkpoint records no '
            'face preprocessing; align them with tools/data/'
            'preprocess_faces.py, or pass aligned frames (--no-align)')
    return preprocessing


def load_clip(model: torch.nn.Module, clip: Dict[str, Any],
              align: Optional[bool] = None,
              max_motion: Optional[float] = None) -> Dict:
    """The aligned onset and apex of a clip, as the test pipeline's first
    transforms would give them.

    Args:
        model (torch.nn.Module): From :func:`init_model` (its
            ``preprocessing`` aligns the frames).
        clip (dict): See the module docstring.
        align (bool, optional): See :func:`inference_clip`.
        max_motion (float, optional): See :func:`inference_clip`.

    Returns:
        dict: The sample (``imgs``, RGB ``[onset, apex]``, ...) and
        ``source``: where the frames came from (``source``, ``onset``,
        ``apex``, ``apex_estimated``, ``alignment``, ``warnings``).
    """
    from ..datasets.transforms.clip_key_frames import LoadClipKeyFrames
    if 'frames' in clip:
        frames = read_pair(clip)
        files = [None if isinstance(item, np.ndarray) else str(item)
                 for item in clip['frames']]
        aligned = clip.get('aligned', True) if align is None else not align
        names = ['the onset' + ('' if files[0] is None else
                                f' ({osp.basename(files[0])})')]
        record, warnings = None, []
        if not aligned:
            try:
                frames, record = track_clip(frames, _preprocessing(model),
                                            names[0], max_motion)
            except AlignmentError as e:
                raise ClipError(str(e)) from None
            warnings += [record['warning']] if record['warning'] else []
        elif getattr(model, 'preprocessing', None):
            warning = check_aligned(frames[0], model.preprocessing, names[0])
            warnings += [warning] if warning else []
        imgs = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in frames]
        if imgs[0].shape != imgs[1].shape:
            raise ClipError(f'the onset and apex frames differ in size '
                            f'({imgs[0].shape[:2]} and {imgs[1].shape[:2]})')
        data = dict(imgs=imgs, img_shape=imgs[0].shape[:2],
                    original_shape=imgs[0].shape[:2],
                    frame_inds=np.array([0, 1]), clip_len=2, num_clips=1,
                    frame_interval=None)
        source = dict(source='pair', onset=files[0], apex=files[1],
                      apex_estimated=False)
    else:
        sample, aligned = clip_sample(clip)
        if align is not None:
            aligned = not align
        fps = sample.pop('fps', None)
        preprocessing = _preprocessing(model) if not aligned else getattr(
            model, 'preprocessing', None)
        sample['aligned'] = aligned
        try:
            data = LoadClipKeyFrames(face_alignment=preprocessing,
                                     max_motion=max_motion,
                                     log_warnings=False)(sample)
        except (ValueError, OSError) as e:
            raise ClipError(str(e)) from None
        key = data['key_frames']
        record = data['alignment']
        warnings = data['warnings']
        source = dict(source=sample.get('filename') or sample['frame_dir'],
                      onset=key['onset'], apex=key['apex'],
                      apex_estimated=key['apex_estimated'])
        if fps is not None:
            source['fps'] = fps
    if record is not None:
        source['alignment'] = record
    source['warnings'] = warnings
    data.update(modality='RGB', label=-1)
    data['source'] = source
    return data


def inference_clip(model: torch.nn.Module,
                   clip: Dict[str, Any],
                   align: Optional[bool] = None,
                   max_motion: Optional[float] = None):
    """Classify one clip.

    Frames that need aligning are aligned to the onset's face with the
    checkpoint's preprocessing, as training clips were, and tracked to the
    apex to measure the head's motion; beyond ``max_motion`` they are
    stabilized by the tracking, with a warning (:func:`~mmaction_tsfmicro.
    preprocessing.alignment.frames.track_clip`). Without an apex, the
    clip is read from its onset (its first frame by default) to its
    ``offset`` (its end by default) and the apex is estimated
    (:class:`~mmaction_tsfmicro.datasets.transforms.LoadClipKeyFrames`).

    Args:
        model (torch.nn.Module): From :func:`init_model`.
        clip (dict): See the module docstring.
        align (bool, optional): Align the frames with the checkpoint's
            preprocessing; None decides from the input (a pair: no; a
            video: yes; a folder: unless ``preprocess_faces.py`` made it).
            Frames taken as aligned are checked to hold the aligned face.
        max_motion (float, optional): Head motion (pixels of the crop)
            beyond which frames are stabilized by tracking, with a
            warning; by default 2 px at 112 px, scaled.

    Returns:
        ActionDataSample: With ``pred_score``, ``pred_label`` and the
        metainfo ``classes``, ``pred_class`` (the name), ``scores`` (class
        name -> score) and ``source`` (where the frames came from, the key
        frames, the alignment applied and any ``warnings``).
    """
    data = load_clip(model, clip, align, max_motion)
    source = data.pop('source')
    data = pipeline_after_loading(model.cfg)(data)
    with torch.no_grad():
        result = model.test_step(pseudo_collate([data]))[0]
    classes = (getattr(model, 'dataset_meta', None) or {}).get('classes')
    scores = result.pred_score.detach().float().cpu().numpy().tolist()
    if not classes:
        classes = [str(i) for i in range(len(scores))]
    best = int(np.argmax(scores))
    result.set_metainfo(dict(
        classes=list(classes), pred_class=classes[best],
        scores=dict(zip(classes, [float(s) for s in scores])),
        source=source))
    return result
