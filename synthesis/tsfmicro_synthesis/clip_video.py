"""A single demo clip, rendered anew and written as a video file.

The demo data set's clips train and test the models; a clip rendered from
the same recipe with another seed is one no model has seen, for trying
``tools/infer.py`` on a plain video (``tools/data/make_demo_video.py``).
The video holds the clip's frames as a camera would record them (the face
is not aligned); its sidecar JSON names the onset and apex frame indices
and the true class.
"""
import dataclasses
import os.path as osp
from typing import Dict, Optional

import cv2
import numpy as np

from mmaction_tsfmicro.utils.fileio import atomic_path, write_json
from .action_units import CLASSES
from .catalogue import find_source, load_image
from .clip_frames import photo_clip_frames
from .face_observation import detect_source, shared_detector
from .plans import ClipPlan, DemoConfig, draw_clip_plans


def draw_clip(emotion: str, seed: int,
              config: Optional[DemoConfig] = None) -> ClipPlan:
    """The plan of one clip of ``emotion``, drawn with ``seed``.

    Args:
        emotion (str): One of the demo's classes.
        seed (int): Seed of the draw (the demo set's plans use the
            config's seed; another one gives clips it does not hold).
        config (DemoConfig, optional): The recipe; the demo's by default.

    Returns:
        ClipPlan: The first plan of that class the seed draws.
    """
    if emotion not in CLASSES:
        raise ValueError(f'unknown class {emotion!r}; choose one of '
                         f'{", ".join(CLASSES)}')
    config = dataclasses.replace(config or DemoConfig(), seed=int(seed))
    for plan in draw_clip_plans(config, 1):
        if plan.emotion == emotion:
            return plan
    raise ValueError(f'seed {seed} draws no {emotion} clip')


def write_clip_video(out: str, source_name: str, emotion: str, seed: int,
                     fps: float = 30.0,
                     config: Optional[DemoConfig] = None) -> Dict:
    """Render one clip on a face photo and write it as a video.

    Args:
        out (str): The video file (``.mp4`` or ``.avi``); the sidecar
            ``<out>.json`` records the clip.
        source_name (str): A photo of the demo's catalogue (e.g.
            ``'feat/0-f1-su-ph.jpg'``).
        emotion (str): The class of the clip.
        seed (int): Seed of the clip's plan and rendering.
        fps (float): Frame rate written in the video.
        config (DemoConfig, optional): The recipe.

    Returns:
        dict: The sidecar: ``video``, ``source``, ``emotion``,
        ``action_units``, ``onset``/``apex``/``offset`` (0-based frame
        indices), ``num_frames`` and ``fps``.
    """
    source = find_source(source_name)
    if source.kind != 'image':
        raise ValueError(f'{source_name}: a photo is needed, not a '
                         f'{source.kind}')
    face = detect_source(source, shared_detector())
    if face is None:
        raise ValueError(f'{source_name}: no face found')
    config = config or DemoConfig()
    plan = draw_clip(emotion, seed, config)
    frames, _ = photo_clip_frames(load_image(source),
                                  np.asarray(face.points, np.float64), plan,
                                  config.frame_size)
    frames = list(frames)
    fourcc = 'mp4v' if out.lower().endswith('.mp4') else 'MJPG'
    with atomic_path(out) as tmp:
        writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*fourcc), fps,
                                 (config.frame_size, config.frame_size))
        if not writer.isOpened():
            raise RuntimeError(f'{out}: OpenCV cannot write {fourcc} video')
        for frame in frames:
            writer.write(frame)
        writer.release()
    record = dict(video=osp.basename(out), source=source_name,
                  emotion=emotion, action_units=plan.action_units,
                  onset=plan.onset, apex=plan.apex, offset=plan.offset,
                  num_frames=len(frames), fps=fps, seed=int(seed))
    write_json(out + '.json', record)
    return record
