"""Choosing the real frames of a video clip: a window where the face is calm.

A clip made from a video plays a window of the person's consecutive frames.
The action units are added on top of the person's own movements, so the
window is one where the face itself hardly deforms: every window is scored
by the largest landmark motion of an expression region once the head's
rigid motion is removed (:func:`window_calmness`), and a clip's window is
drawn among those under :data:`CALM_THRESHOLD` (:func:`choose_window`).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from mmaction_tsfmicro.preprocessing.alignment import similarity_lstsq
from mmaction_tsfmicro.preprocessing.face_mesh import (EYE_CORNERS,
                                                       STABLE_POINTS)
from .action_units import ACTION_UNITS
from .plans import ClipPlan

#: Largest landmark deformation (inter-ocular distances) accepted in a video
#: window before falling back to the calmest windows available.
CALM_THRESHOLD = 0.02


def expression_regions() -> Dict[str, List[int]]:
    """Mesh indices of each face region that the action units move.

    Returns:
        dict[str, list[int]]: Region name -> sorted landmark indices (the
        anchors of the AUs of that region, both halves).
    """
    regions: Dict[str, set] = {}
    for au in ACTION_UNITS.values():
        idx = regions.setdefault(au.region, set())
        for anchor in au.anchors:
            idx.update(anchor.left)
            idx.update(anchor.right)
    return {name: sorted(idx) for name, idx in sorted(regions.items())}


def window_calmness(points: np.ndarray, length: int) -> np.ndarray:
    """How much a face deforms within each window of a landmark track.

    For every start ``s``, each frame of ``s .. s + length - 1`` is fitted
    onto frame ``s`` by a similarity of the stable points (eyes, nose), so
    rigid head motion does not count. The score is the largest mean
    residual of the landmarks of one expression region
    (:func:`expression_regions`: brows, eyes, cheeks, nose, upper lip, mouth
    corners, chin) over the window, in inter-ocular distances.

    Args:
        points (np.ndarray): (N, 478, 2) landmarks, NaN where missing.
        length (int): Window length in frames.

    Returns:
        np.ndarray: (N - length + 1,) scores; inf for windows with a
        missing face.
    """
    n = len(points)
    if n < length:
        return np.full(0, np.inf)
    stable = list(STABLE_POINTS)
    regions = list(expression_regions().values())
    (l_outer, l_inner), (r_inner, r_outer) = EYE_CORNERS
    ex = (points[:, r_inner] + points[:, r_outer] - points[:, l_outer] -
          points[:, l_inner])
    iod = np.hypot(ex[:, 0], ex[:, 1]) / 2
    scores = np.full(n - length + 1, np.inf)
    for s in range(n - length + 1):
        win = points[s:s + length]
        if np.isnan(win).any():
            continue
        ref = np.broadcast_to(win[0], win.shape)
        m = similarity_lstsq(win[:, stable], ref[:, stable])
        fitted = np.einsum('tij,tkj->tki', m[:, :, :2], win) + m[:, None, :, 2]
        res = np.linalg.norm(fitted - win[0], axis=-1)  # (length, 478)
        worst = max(res[:, idx].mean(1).max() for idx in regions)
        scores[s] = worst / iod[s]
    return scores


def choose_window(scores: np.ndarray, rng: np.random.Generator) -> int:
    """Pick a calm video window: any under the threshold, else the calmest.

    Args:
        scores (np.ndarray): :func:`window_calmness` scores by start.
        rng (np.random.Generator): Random source.

    Returns:
        int: The start frame.
    """
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        raise ValueError('no video window with a face in every frame')
    calm = finite[scores[finite] <= CALM_THRESHOLD]
    if calm.size < 3:
        calm = finite[np.argsort(scores[finite], kind='stable')[:3]]
    return int(rng.choice(calm))


def video_windows(points: np.ndarray, plans: Sequence[ClipPlan]
                  ) -> List[Tuple[int, int]]:
    """Choose the real-frame window of each video clip.

    Args:
        points (np.ndarray): (N, 478, 2) smoothed landmark track, NaN
            where the face is missing or the frame is not usable.
        plans (Sequence[ClipPlan]): The clips; each window spans the clip's
            frames slowed down by its ``slow`` factor.

    Returns:
        list[tuple[int, int]]: ``(start, span)`` of each clip.
    """
    cache: Dict[int, np.ndarray] = {}
    out = []
    for plan in plans:
        span = int(round((plan.num_frames - 1) / plan.slow)) + 1
        span = int(min(max(span, 2), len(points)))
        if span not in cache:
            cache[span] = window_calmness(points, span)
        rng = np.random.default_rng([plan.render_seed, 1])
        out.append((choose_window(cache[span], rng), span))
    return out
