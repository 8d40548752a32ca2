"""Landmark indices of MediaPipe's 478-point face mesh that the plugin uses.

The face detector (:mod:`.landmarks`), the demo generator's action units and
its video stabilization all read the eyes and the nose from these indices.
Index 0 of a pair is the corner on the image's left.
"""
from typing import Tuple

import numpy as np

#: (outer, inner) corner of the eye on the image's left, then (inner, outer)
#: of the other eye.
EYE_CORNERS: Tuple[Tuple[int, int], Tuple[int, int]] = ((33, 133), (362, 263))
#: The nose tip.
NOSE_TIP = 1
#: Points on the nose ridge, from between the eyes down to the tip.
NOSE_RIDGE: Tuple[int, ...] = (168, 6, 197, 195, 5, 4)
#: Points that move little with expressions: the eye corners and the nose
#: ridge (used to stabilize video frames).
STABLE_POINTS: Tuple[int, ...] = tuple(
    i for pair in EYE_CORNERS for i in pair) + NOSE_RIDGE


def eye_centres(points: np.ndarray) -> np.ndarray:
    """The mid-points of each eye's two corners.

    Args:
        points (np.ndarray): (478, 2) mesh points.

    Returns:
        np.ndarray: (2, 2) eye centres, the image's left eye first.
    """
    pts = np.asarray(points, dtype=np.float64)
    return np.stack([pts[list(c)].mean(0) for c in EYE_CORNERS])
