"""Facial action units as smooth displacement fields anchored on landmarks.

An action unit (AU) is a list of :class:`Anchor` s on the 478-point MediaPipe
face mesh. Each anchor moves a group of landmarks by a vector written in the
face's own frame, ``(outward, down)``: ``outward`` points away from the
face's vertical mid-line (to the image left for points on the image-left
half, to the image right on the other half), ``down`` points from the eyes
towards the chin. Vectors are in units of the clip's amplitude, so an anchor
with ``move=(0, -1)`` rises by exactly the amplitude at its landmarks.

The displacement of a pixel ``p`` is a normalized Gaussian blend of the
anchors' vectors::

    g_k(p) = exp(-|p - c_k|^2 / (2 sigma_k^2))
    D(p)   = sum_k g_k(p) v_k / max(1, sum_k g_k(p))

so that a group of landmarks moves together by its anchor's vector (close
anchors do not add up; where anchors with different vectors overlap, their
vectors are averaged) and the motion fades to zero a few ``sigma`` away. Radii
``sigma`` are fractions of the inter-ocular distance (IOD), so a field has
the same shape on every face.

Amplitudes are given in pixels for a face whose IOD is
:data:`REFERENCE_IOD` (90 px, the IOD of a 224 x 224 crop aligned with the
eyes 40 % of the width apart) and scaled to the face's actual IOD.
"""
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.preprocessing import face_mesh

#: Inter-ocular distance (px) at which amplitudes are stated.
REFERENCE_IOD = 90.0


@dataclass(frozen=True)
class Anchor:
    """Landmarks that move together by one vector.

    Args:
        left (tuple[int]): Mesh indices on the image-left half of the face,
            or on the mid-line when ``right`` is empty.
        right (tuple[int]): The mirrored indices on the image-right half;
            empty for mid-line points (then ``move[0]`` must be 0).
        move (tuple[float, float]): ``(outward, down)`` displacement in
            units of the amplitude.
        sigma (float): Gaussian radius in inter-ocular distances.
    """

    left: Tuple[int, ...]
    right: Tuple[int, ...]
    move: Tuple[float, float]
    sigma: float

    def __post_init__(self) -> None:
        if self.right and len(self.right) != len(self.left):
            raise ValueError(f'anchor {self.left}: mirrored indices '
                             f'{self.right} do not pair with the left ones')
        if not self.right and self.move[0] != 0:
            raise ValueError(f'mid-line anchor {self.left} cannot move '
                             'outward')


@dataclass(frozen=True)
class ActionUnit:
    """A FACS action unit as a displacement field.

    Args:
        code (str): FACS number as written in coding sheets, e.g. ``'12'``.
        name (str): FACS name.
        region (str): Face region that moves (for documentation and tests).
        anchors (tuple[Anchor]): The moving landmark groups.
    """

    code: str
    name: str
    region: str
    anchors: Tuple[Anchor, ...]


def _au(code, name, region, *anchors) -> ActionUnit:
    return ActionUnit(code, name, region, tuple(anchors))


#: The action units the demo data set uses, keyed by FACS code.
ACTION_UNITS: Dict[str, ActionUnit] = {
    au.code: au
    for au in (
        _au('1', 'inner brow raiser', 'brows',
            Anchor((107, 55, 66, 65), (336, 285, 296, 295), (0.0, -1.0),
                   0.14)),
        _au('2', 'outer brow raiser', 'brows',
            Anchor((70, 46, 63, 53), (300, 276, 293, 283), (0.0, -1.0),
                   0.14),
            Anchor((105, 52), (334, 282), (0.0, -0.6), 0.12)),
        _au('4', 'brow lowerer', 'brows',
            Anchor((107, 55, 66, 65), (336, 285, 296, 295), (-0.6, 0.8),
                   0.14),
            Anchor((105, 52), (334, 282), (-0.3, 0.5), 0.12)),
        _au('6', 'cheek raiser', 'cheeks',
            Anchor((117, 118, 101), (346, 347, 330), (0.0, -1.0), 0.16),
            Anchor((50, ), (280, ), (0.0, -0.7), 0.16),
            Anchor((145, 153), (374, 380), (0.0, -0.4), 0.08)),
        _au('7', 'lid tightener', 'eyes',
            Anchor((145, 144, 153), (374, 373, 380), (0.0, -1.0), 0.07),
            Anchor((159, ), (386, ), (0.0, 0.3), 0.07)),
        _au('9', 'nose wrinkler', 'nose',
            Anchor((129, 98, 64, 48), (358, 327, 294, 278), (-0.2, -1.0),
                   0.12),
            Anchor((168, ), (), (0.0, 0.4), 0.10),
            Anchor((55, ), (285, ), (0.0, 0.4), 0.10)),
        _au('10', 'upper lip raiser', 'upper lip',
            Anchor((0, ), (), (0.0, -1.0), 0.12),
            Anchor((37, 39), (267, 269), (0.0, -1.0), 0.12),
            Anchor((92, 165), (322, 391), (-0.1, -0.6), 0.12)),
        _au('12', 'lip corner puller', 'mouth corners',
            Anchor((61, ), (291, ), (0.7, -0.7), 0.14),
            Anchor((216, 206), (436, 426), (0.3, -0.5), 0.14)),
        _au('14', 'dimpler', 'mouth corners',
            Anchor((61, ), (291, ), (0.9, 0.1), 0.10),
            Anchor((185, 146), (409, 375), (0.4, 0.0), 0.10)),
        _au('15', 'lip corner depressor', 'mouth corners',
            Anchor((61, ), (291, ), (0.2, 1.0), 0.13),
            Anchor((135, ), (364, ), (0.0, 0.5), 0.13)),
        _au('17', 'chin raiser', 'chin',
            Anchor((152, 175, 199, 200), (), (0.0, -1.0), 0.16),
            Anchor((208, 171), (428, 396), (0.0, -0.8), 0.14),
            Anchor((17, ), (), (0.0, -0.6), 0.10),
            Anchor((84, 181), (314, 405), (0.0, -0.6), 0.10)),
        _au('45', 'blink (partial lid closure)', 'eyes',
            Anchor((159, 158, 160, 157, 161), (386, 385, 387, 384, 388),
                   (0.0, 1.4), 0.07),
            Anchor((145, ), (374, ), (0.0, -0.2), 0.07)),
    )
}

#: The five classes of CASME II's usual protocol, in label order.
CLASSES: Tuple[str, ...] = ('happiness', 'disgust', 'repression', 'surprise',
                            'others')

#: AU combinations of each class and how often each is drawn. Classes
#: differ in where the face moves: happiness the cheeks and the mouth
#: corners (up and out), disgust the nose and upper lip (with the inner
#: brows down in some), repression the mouth corners (down or tightened)
#: and the chin, surprise the brows (up), others the inner brows (down and
#: together) or the eyelids.
CLASS_VARIANTS: Dict[str, Tuple[Tuple[str, float], ...]] = {
    'happiness': (('6+12', 0.6), ('12', 0.4)),
    'disgust': (('4+9', 0.3), ('9', 0.25), ('10', 0.25), ('4+10', 0.2)),
    'repression': (('14', 0.25), ('15', 0.25), ('17', 0.25),
                   ('15+17', 0.25)),
    'surprise': (('1+2', 0.6), ('1', 0.2), ('2', 0.2)),
    'others': (('4', 0.35), ('45', 0.25), ('7', 0.2), ('4+7', 0.2)),
}

#: CASME II "Objective Classes" (I happiness, II surprise, III AU4/AU7
#: family, IV AU9/AU10, V AU15/AU17, VII others) of each combination.
OBJECTIVE_CLASSES: Dict[str, int] = {
    '6+12': 1, '12': 1,
    '4+9': 4, '9': 4, '10': 4, '4+10': 4,
    '14': 7, '15': 5, '17': 5, '15+17': 5,
    '1+2': 2, '1': 2, '2': 2,
    '4': 3, '45': 7, '7': 3, '4+7': 3,
}


def parse_combination(combination: str) -> List[str]:
    """Split an AU combination such as ``'6+12'`` into known AU codes.

    Args:
        combination (str): ``+``-separated FACS codes.

    Returns:
        list[str]: The codes, in order.

    Raises:
        KeyError: For a code with no definition in :data:`ACTION_UNITS`.
    """
    codes = [c.strip() for c in str(combination).split('+') if c.strip()]
    unknown = [c for c in codes if c not in ACTION_UNITS]
    if unknown or not codes:
        raise KeyError(f'unknown action unit(s) {unknown or combination!r} '
                       f'in {combination!r}; known: {sorted(ACTION_UNITS)}')
    return codes


def eye_centres(points: np.ndarray) -> np.ndarray:
    """Return the (2, 2) eye centres (corner mid-points), image-left first.

    The centres of :func:`mmaction_tsfmicro.preprocessing.face_mesh.
    eye_centres`, ordered by x: the first is on the image's left whichever
    way the face is turned.

    Args:
        points (np.ndarray): (478, 2) MediaPipe landmarks.

    Returns:
        np.ndarray: float64 eye centres.
    """
    eyes = face_mesh.eye_centres(points)
    return eyes[np.argsort(eyes[:, 0])]


def face_axes(points: np.ndarray) -> Tuple[np.ndarray, np.ndarray, float]:
    """Return the face frame: unit x (eye line), unit y (down) and the IOD.

    Args:
        points (np.ndarray): (478, 2) MediaPipe landmarks.

    Returns:
        tuple: ``(ex, ey, iod)``: ``ex`` points from the image-left eye to
        the image-right eye, ``ey`` is ``ex`` turned 90 degrees towards the
        chin, ``iod`` is the inter-ocular distance in pixels.
    """
    left, right = eye_centres(points)
    vec = right - left
    iod = float(np.hypot(*vec))
    if iod <= 0:
        raise ValueError('degenerate landmarks: both eyes at one point')
    ex = vec / iod
    ey = np.array([-ex[1], ex[0]])
    return ex, ey, iod


def anchor_arrays(
        points: np.ndarray,
        combination: str,
        au_weights: Optional[Mapping[str, float]] = None,
        side_weights: Tuple[float, float] = (1.0, 1.0)
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resolve an AU combination into Gaussian centres, vectors and radii.

    Args:
        points (np.ndarray): (478, 2) landmarks in the frame the field is
            computed on.
        combination (str): AU codes joined by ``+``.
        au_weights (Mapping[str, float], optional): Multiplier of each AU's
            vectors (default 1).
        side_weights (tuple[float, float]): Multiplier of the image-left
            and image-right half (asymmetry); mid-line anchors take the mean.

    Returns:
        tuple: ``centres`` (K, 2), ``vectors`` (K, 2) in units of the
        amplitude times the IOD / :data:`REFERENCE_IOD` (i.e. pixels for an
        amplitude of 1 px at the reference IOD), ``sigmas`` (K,) in pixels.
    """
    pts = np.asarray(points, np.float64)
    ex, ey, iod = face_axes(pts)
    scale = iod / REFERENCE_IOD
    au_weights = au_weights or {}
    centres, vectors, sigmas = [], [], []
    for code in parse_combination(combination):
        weight = float(au_weights.get(code, 1.0))
        for anchor in ACTION_UNITS[code].anchors:
            out, down = anchor.move
            if anchor.right:
                sides = ((anchor.left, -1.0, side_weights[0]),
                         (anchor.right, 1.0, side_weights[1]))
            else:
                sides = ((anchor.left, 0.0, float(np.mean(side_weights))), )
            for idx, sign, side_w in sides:
                vec = (sign * out * ex + down * ey) * weight * side_w * scale
                for i in idx:
                    centres.append(pts[i])
                    vectors.append(vec)
                    sigmas.append(anchor.sigma * iod)
    return (np.asarray(centres, np.float64), np.asarray(vectors, np.float64),
            np.asarray(sigmas, np.float64))


def displacement_field(points: np.ndarray,
                       combination: str,
                       shape: Tuple[int, int],
                       au_weights: Optional[Mapping[str, float]] = None,
                       side_weights: Tuple[float, float] = (1.0, 1.0),
                       step: int = 2) -> np.ndarray:
    """Compute the displacement field of an AU combination on an image grid.

    The field is evaluated every ``step`` pixels and resized to ``shape``
    (it is smooth on the scale of ``sigma``, a few pixels at least).

    Args:
        points (np.ndarray): (478, 2) landmarks in pixels of the grid.
        combination (str): AU codes joined by ``+``.
        shape (tuple[int, int]): ``(H, W)`` of the grid.
        au_weights (Mapping[str, float], optional): Per-AU multipliers.
        side_weights (tuple[float, float]): Image-left / image-right
            multipliers.
        step (int): Sampling step of the evaluation grid.

    Returns:
        np.ndarray: (H, W, 2) float32 forward displacement (dx, dy) in
        pixels for an amplitude of 1 px at the reference IOD: the point
        at ``p`` moves to ``p + amplitude * D(p)``.
    """
    h, w = shape
    centres, vectors, sigmas = anchor_arrays(points, combination, au_weights,
                                             side_weights)
    gh, gw = -(-h // step), -(-w // step)
    ys = (np.arange(gh, dtype=np.float64) * step)[:, None, None]
    xs = (np.arange(gw, dtype=np.float64) * step)[None, :, None]
    # separable Gaussians: exp(-(dx^2 + dy^2) / 2s^2) = gx * gy
    inv = 1.0 / (2.0 * sigmas**2)
    gx = np.exp(-(xs - centres[:, 0])**2 * inv)  # (1, gw, K)
    gy = np.exp(-(ys - centres[:, 1])**2 * inv)  # (gh, 1, K)
    weights = gy * gx  # (gh, gw, K)
    total = weights.sum(-1, keepdims=True)
    field = (weights @ vectors) / np.maximum(total, 1.0)
    field = field.astype(np.float32)
    if step == 1:
        return field
    return _upsample(field, step, (h, w))


def _upsample(field: np.ndarray, step: int,
              shape: Tuple[int, int]) -> np.ndarray:
    """Bilinear upsampling of a field sampled at multiples of ``step``."""
    h, w = shape
    ys = (np.arange(h, dtype=np.float32) / step)[:, None]
    xs = (np.arange(w, dtype=np.float32) / step)[None, :]
    mx = np.broadcast_to(xs, (h, w)).astype(np.float32)
    my = np.broadcast_to(ys, (h, w)).astype(np.float32)
    return cv2.remap(field, mx, my, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def region_points(combination: str) -> List[int]:
    """Return the mesh indices an AU combination moves (both halves).

    Args:
        combination (str): AU codes joined by ``+``.

    Returns:
        list[int]: Sorted unique landmark indices of all anchors.
    """
    idx = set()
    for code in parse_combination(combination):
        for anchor in ACTION_UNITS[code].anchors:
            idx.update(anchor.left)
            idx.update(anchor.right)
    return sorted(idx)


def describe(codes: Iterable[str] = None) -> List[Dict]:
    """Return a JSON-friendly description of AU definitions (for manifests).

    Args:
        codes (Iterable[str], optional): AU codes; all by default.

    Returns:
        list[dict]: One entry per AU with its anchors.
    """
    out = []
    for code in (codes or ACTION_UNITS):
        au = ACTION_UNITS[code]
        out.append(
            dict(code=au.code, name=au.name, region=au.region,
                 anchors=[dict(left=list(a.left), right=list(a.right),
                               move=list(a.move), sigma_iod=a.sigma)
                          for a in au.anchors]))
    return out
