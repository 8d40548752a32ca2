"""Where each frame of a clip takes its pixels from: a photo or a video.

A :class:`FrameSource` holds, for one output frame, the source images, their
blend weights, their similarities onto the face frame (:mod:`.geometry`),
the face-frame landmarks at rest and the head pose.

Photos give one source image and a synthetic drift (:func:`photo_sources`).
Videos give the person's real consecutive frames (:func:`video_sources`):
each is stabilized onto the window's first frame from its landmarks (the
similarity onto the face frame differs per frame), their real head motion is
put back scaled to the clip's drift, their real small face movements stay,
and the action units follow the landmarks tracked in every frame. Videos are
played slower than recorded (frames in between are cross-fades of the two
nearest frames), bringing 24-30 fps footage near the 100-200 fps of
micro-expression cameras.
"""
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.preprocessing.alignment import similarity_lstsq
from mmaction_tsfmicro.preprocessing.face_mesh import STABLE_POINTS
from .action_units import eye_centres, face_axes
from .geometry import (EYE_DIST, apply_affine, compose, face_centre,
                       face_frame_transform, face_radius, invert_affine,
                       pose_extent, pose_params)


@dataclass
class FrameSource:
    """Where one output frame takes its pixels from.

    Args:
        images (list[np.ndarray]): Source images (BGR uint8).
        weights (list[float]): Blend weight of each image.
        to_face (list[np.ndarray]): (2, 3) similarity of each image onto
            the face frame.
        landmarks (np.ndarray): (478, 2) face-frame landmarks at this time
            (the face at rest, before action units and head pose).
        pose (np.ndarray): (4,) head pose parameters about the face centre.
    """

    images: List[np.ndarray]
    weights: List[float]
    to_face: List[np.ndarray]
    landmarks: np.ndarray
    pose: np.ndarray


def prepare_photo(image: np.ndarray, points: np.ndarray, size: int
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Crop a photo around the face and scale it near the frame's scale.

    Rendering then samples it at about 1:1, so large photos are filtered
    (area averaging) instead of aliased, and small ones are upscaled once.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        size (int): Frame side.

    Returns:
        tuple: The prepared image and its landmarks.
    """
    _, _, iod = face_axes(points)
    scale = EYE_DIST * size / iod
    centre = eye_centres(points).mean(0)
    half = 2.8 * iod
    h, w = image.shape[:2]
    x0, y0 = int(max(0, np.floor(centre[0] - half))), int(
        max(0, np.floor(centre[1] - half)))
    x1, y1 = int(min(w, np.ceil(centre[0] + half))), int(
        min(h, np.ceil(centre[1] + half)))
    crop = image[y0:y1, x0:x1]
    out_w = max(1, int(round((x1 - x0) * scale)))
    out_h = max(1, int(round((y1 - y0) * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(crop, (out_w, out_h), interpolation=interp)
    sx, sy = out_w / (x1 - x0), out_h / (y1 - y0)
    pts = (np.asarray(points, np.float64) - (x0, y0) + 0.5) * (sx, sy) - 0.5
    return resized, pts


def photo_sources(image: np.ndarray, points: np.ndarray, size: int,
                  num_frames: int, drift: np.ndarray,
                  jitter: Sequence[float]) -> List[FrameSource]:
    """Frame sources of a clip made from one photo.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        size (int): Frame side.
        num_frames (int): Frames of the clip.
        drift (np.ndarray): (num_frames, 4) synthetic head pose.
        jitter (Sequence[float]): Framing jitter of the clip.

    Returns:
        list[FrameSource]: One per frame.
    """
    m = face_frame_transform(points, size, jitter)
    lms = apply_affine(m, points)
    return [FrameSource([image], [1.0], [m], lms, drift[t])
            for t in range(num_frames)]


def video_sources(frames: dict, points: np.ndarray, start: int,
                  span: int, size: int, num_frames: int, max_px: float,
                  jitter: Sequence[float]) -> List[FrameSource]:
    """Frame sources of a clip made from consecutive video frames.

    Args:
        frames (dict[int, np.ndarray]): Decoded frames by index (at least
            ``start .. start + span - 1``).
        points (np.ndarray): (N, 478, 2) smoothed landmark track.
        start (int): First real frame of the window.
        span (int): Real frames in the window (>= 2).
        size (int): Frame side.
        num_frames (int): Output frames (the window is played slower).
        max_px (float): Largest head displacement kept (the real head motion
            is scaled down to it, never up).
        jitter (Sequence[float]): Framing jitter of the clip.

    Returns:
        list[FrameSource]: One per output frame.
    """
    idx = np.arange(start, start + span)
    stable = list(STABLE_POINTS)
    ref = points[start]
    to_face = face_frame_transform(ref, size, jitter)
    from_face = invert_affine(to_face)
    centre = face_centre(apply_affine(to_face, ref))
    # S_k: real frame k -> reference frame; its inverse is the real motion
    stab = similarity_lstsq(
        points[idx][:, stable],
        np.broadcast_to(ref[stable], (span, len(stable), 2)))
    real = np.stack([
        pose_params(compose(to_face, compose(invert_affine(s), from_face)),
                    centre) for s in stab])
    extent = pose_extent(real, face_radius(size)).max()
    beta = min(1.0, max_px / extent) if extent > 0 else 0.0
    m_face = [compose(to_face, s) for s in stab]
    lms_face = [apply_affine(m, points[k]) for m, k in zip(m_face, idx)]
    out = []
    for t in range(num_frames):
        tau = t * (span - 1) / max(num_frames - 1, 1)
        k = min(int(np.floor(tau)), span - 2)
        alpha = tau - k
        pose = ((1 - alpha) * real[k] + alpha * real[k + 1]) * beta
        lms = (1 - alpha) * lms_face[k] + alpha * lms_face[k + 1]
        if alpha < 1e-6:
            src = FrameSource([frames[idx[k]]], [1.0], [m_face[k]], lms, pose)
        elif alpha > 1 - 1e-6:
            src = FrameSource([frames[idx[k + 1]]], [1.0], [m_face[k + 1]],
                              lms, pose)
        else:
            src = FrameSource([frames[idx[k]], frames[idx[k + 1]]],
                              [1 - alpha, alpha], [m_face[k], m_face[k + 1]],
                              lms, pose)
        out.append(src)
    return out
