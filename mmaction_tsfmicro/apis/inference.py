"""Recognition of one clip with a trained model (``tools/infer.py``).

:func:`init_model` builds a recognizer from a config and a checkpoint (a
released one, :mod:`.publish`, is checked against its hash);
:func:`inference_clip` classifies one clip given as

* ``dict(frames=[onset, apex])``: an aligned onset/apex pair, as image
  files or RGB arrays;
* ``dict(frame_dir=DIR, onset=N, apex=M)``: a folder of numbered frames
  (``filename_tmpl`` optional: found from the file names);
* ``dict(video=FILE, onset=N, apex=M)``: a video and two frame indices
  (0-based, as OpenCV counts), or ``onset_time``/``apex_time`` in seconds.

Frames that are not aligned (a video, a folder without the
``alignment.json`` of ``tools/data/preprocess_faces.py``) are aligned with
the preprocessing the checkpoint records, as the training frames were. The
result is MMAction2's ``ActionDataSample`` with the class names.

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

from ..annotations.layouts import guess_filename_tmpl
from ..engine.checkpoint import CheckpointError, load_weights, read_checkpoint
from ..engine.runner_args import load_config
from ..preprocessing.alignment.frames import (AlignmentError,
                                              align_like_training)
from ..preprocessing.clip_spec import ALIGNMENT_FILE
from ..preprocessing.image_io import read_image
from ..preprocessing.video import read_frames_at, video_fps

#: The transforms that choose and read the frames: inference gives frames
#: itself, and the test pipeline runs from after them.
SOURCE_TRANSFORMS = ('SelectFramePair', 'LoadFramePair')


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


def _frame_index(clip: Dict, role: str, fps: float) -> int:
    if clip.get(role) is not None:
        return int(clip[role])
    if clip.get(f'{role}_time') is not None:
        return int(round(float(clip[f'{role}_time']) * fps))
    raise ClipError(f'give the {role} frame ({role}=N or {role}_time=S)')


def _check_pair(source: str, onset: int, apex: int) -> None:
    if apex <= onset:
        raise ClipError(
            f'{source}: the apex (frame {apex}) must come after the onset '
            f'(frame {onset})' + ('; they are the same frame'
                                  if apex == onset else ''))


def read_video_frames(path: str, indices: List[int]) -> List[np.ndarray]:
    """Frames of a video by 0-based index (BGR); a problem is a
    :class:`ClipError` naming the video."""
    try:
        return read_frames_at(path, indices)
    except (OSError, ValueError) as e:
        raise ClipError(str(e)) from None


def load_clip(clip: Dict[str, Any]) -> Tuple[List[np.ndarray], bool, Dict]:
    """The onset and apex frames of a clip (BGR), whether they are aligned
    already, and where they came from.

    Args:
        clip (dict): One of the forms of the module docstring.

    Returns:
        tuple: ``[onset, apex]``, ``aligned`` and a description (``source``,
        ``onset``, ``apex``).
    """
    if 'frames' in clip:
        frames = []
        for item in clip['frames']:
            if isinstance(item, np.ndarray):
                frames.append(cv2.cvtColor(item, cv2.COLOR_RGB2BGR))
            else:
                frames.append(read_image(str(item), cv2.IMREAD_COLOR,
                                         f'frame {item}'))
        if len(frames) != 2:
            raise ClipError(f'give two frames (onset, apex), got '
                            f'{len(frames)}')
        files = [None if isinstance(item, np.ndarray) else str(item)
                 for item in clip['frames']]
        return frames, clip.get('aligned', True), dict(
            source='pair', onset=files[0], apex=files[1])
    if 'video' in clip:
        path = str(clip['video'])
        fps = video_fps(path) if osp.isfile(path) else 0.0
        onset = _frame_index(clip, 'onset', fps)
        apex = _frame_index(clip, 'apex', fps)
        _check_pair(path, onset, apex)
        frames = read_video_frames(path, [onset, apex])
        return frames, clip.get('aligned', False), dict(
            source=path, onset=onset, apex=apex, fps=fps)
    if 'frame_dir' in clip:
        folder = str(clip['frame_dir'])
        onset = _frame_index(clip, 'onset', 0.0)
        apex = _frame_index(clip, 'apex', 0.0)
        _check_pair(folder, onset, apex)
        tmpl = clip.get('filename_tmpl') or guess_filename_tmpl(folder, onset)
        frames = [
            read_image(osp.join(folder, tmpl.format(n)), cv2.IMREAD_COLOR,
                       f'frame {n}') for n in (onset, apex)
        ]
        aligned = clip.get('aligned')
        if aligned is None:  # preprocess_faces.py leaves its record
            aligned = osp.isfile(osp.join(folder, ALIGNMENT_FILE))
        return frames, aligned, dict(source=folder, onset=onset, apex=apex)
    raise ClipError('a clip is dict(frames=[onset, apex]), dict(frame_dir='
                    '..., onset=..., apex=...) or dict(video=..., onset=..., '
                    'apex=...)')


def _test_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline after the transforms that read frames."""
    pipeline = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
    types = [t['type'] for t in pipeline]
    last = max((i for i, t in enumerate(types) if t in SOURCE_TRANSFORMS),
               default=-1)
    if last < 0:
        raise ClipError('the config\'s test pipeline does not read an '
                        'onset/apex pair (no LoadFramePair)')
    return Compose(pipeline[last + 1:])


def inference_clip(model: torch.nn.Module,
                   clip: Dict[str, Any],
                   align: Optional[bool] = None):
    """Classify one clip.

    Args:
        model (torch.nn.Module): From :func:`init_model`.
        clip (dict): See the module docstring.
        align (bool, optional): Align the frames with the checkpoint's
            preprocessing; None decides from the input (a pair: no; a
            video: yes; a folder: unless ``preprocess_faces.py`` made it).

    Returns:
        ActionDataSample: With ``pred_score``, ``pred_label`` and the
        metainfo ``classes``, ``pred_class`` (the name), ``scores`` (class
        name -> score) and ``source`` (where the frames came from, the
        alignment applied).
    """
    frames, aligned, source = load_clip(clip)
    if align is None:
        align = not aligned
    if align:
        preprocessing = getattr(model, 'preprocessing', None)
        if not preprocessing:
            raise ClipError(
                'the frames need aligning, but the checkpoint records no '
                'face preprocessing; align them with tools/data/'
                'preprocess_faces.py, or pass aligned frames (--no-align)')
        names = [f'the {role}' + (
            '' if source.get(role) is None else
            f' ({osp.basename(source[role])})' if source['source'] == 'pair'
            else f' (frame {source[role]})') for role in ('onset', 'apex')]
        try:
            frames, record = align_like_training(frames, preprocessing,
                                                 names)
        except AlignmentError as e:
            where = '' if source['source'] == 'pair' else \
                f"{source['source']}: "
            raise ClipError(f'{where}{e}') from None
        source['alignment'] = record
    imgs = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) if f.ndim == 3 else
            cv2.cvtColor(f, cv2.COLOR_GRAY2RGB) for f in frames]
    if imgs[0].shape != imgs[1].shape:
        raise ClipError(f'the onset and apex frames differ in size '
                        f'({imgs[0].shape[:2]} and {imgs[1].shape[:2]})')
    data = dict(imgs=imgs, img_shape=imgs[0].shape[:2],
                original_shape=imgs[0].shape[:2],
                frame_inds=np.array([0, 1]), clip_len=2, num_clips=1,
                frame_interval=None, modality='RGB', label=-1)
    data = _test_pipeline(model.cfg)(data)
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
