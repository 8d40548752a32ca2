import json
import os
import pickle

import cv2
import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose

import mmaction_tsfmicro.datasets.transforms.flow as flow_transform
from mmaction_tsfmicro.preprocessing.flow import build_flow, save_flow
from mmaction_tsfmicro.preprocessing.flow_jobs import FlowConfig, flow_job


def sample(**kw):
    results = dict(dataset='casme2', subject='sub01', clip='EP02_01f',
                   onset_frame=46, apex_frame=59, offset_frame=86, label=1,
                   modality='RGB')
    results.update(kw)
    return results


@pytest.fixture
def flow_root(tmp_path):
    """One saved flow: u = column index / 10, v = -1, strain = 0.25."""
    h, w = 24, 40
    data = np.zeros((h, w, 3), np.float32)
    data[..., 0] = np.arange(w)[None] / 10
    data[..., 1] = -1
    data[..., 2] = 0.25
    save_flow(str(tmp_path / 'sub01' / 'EP02_01f' / 'flow_46_59.npy'), data)
    return tmp_path, data


def test_load_flow_into_imgs(flow_root):
    root, data = flow_root
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(root)))
    out = t(sample())
    assert out['flow_path'] == str(root / 'sub01' / 'EP02_01f' /
                                   'flow_46_59.npy')
    assert len(out['imgs']) == 1 and out['imgs'][0].dtype == np.float32
    np.testing.assert_allclose(out['imgs'][0], data, atol=2e-3)
    assert out['img_shape'] == (24, 40) and out['clip_len'] == 1
    assert out['modality'] == 'RGB'  # untouched


def test_channels_resize_and_key(flow_root):
    root, data = flow_root
    t = TRANSFORMS.build(
        dict(type='LoadFlow', flow_root=str(root),
             channels=('strain', 'magnitude', 'u'), size=(20, 12),
             key='flow'))
    out = t(sample(imgs=['frames']))
    flow = out['flow']
    assert out['imgs'] == ['frames']
    assert flow.shape == (12, 20, 3)
    # resized by 1/2: u and v are halved, the strain is unchanged and the
    # magnitude is that of the halved (u, v)
    np.testing.assert_allclose(flow[..., 0], 0.25, atol=1e-3)
    expected_u = (np.arange(20) * 2 + 0.5) / 10 / 2
    np.testing.assert_allclose(flow[0, :, 2], expected_u, atol=2e-3)
    np.testing.assert_allclose(flow[..., 1],
                               np.hypot(flow[..., 2], -0.5), atol=1e-3)


def test_pipeline_gives_nchw(flow_root):
    root, _ = flow_root
    pipeline = Compose([
        TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(root),
                              channels=('u', 'v'))),
        TRANSFORMS.build(dict(type='FormatShape', input_format='NCHW')),
        TRANSFORMS.build(dict(type='PackActionInputs',
                              meta_keys=('subject', 'clip'))),
    ])
    packed = pipeline(sample())
    assert tuple(packed['inputs'].shape) == (1, 2, 24, 40)
    assert float(packed['inputs'][0, 1].mean()) == pytest.approx(-1)
    assert int(packed['data_samples'].gt_label) == 1


def test_missing_flow_names_file_and_sample(tmp_path):
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(tmp_path)))
    with pytest.raises(FileNotFoundError) as err:
        t(sample(apex_frame=60))
    assert str(err.value) == (
        f'flow file not found: {tmp_path}/sub01/EP02_01f/flow_46_60.npy '
        '(sample sub01/EP02_01f); compute the flow of every sample once '
        'with `python tools/data/compute_flow.py --dataset casme2 --ann ANN '
        f'--src FRAME_ROOT --dst {tmp_path}`, or give LoadFlow '
        "compute=dict(method='tvl1') to compute missing files when they "
        'are first loaded')
    assert '\n' not in str(err.value)
    custom = TRANSFORMS.build(
        dict(type='LoadFlow', flow_root=str(tmp_path),
             path_tmpl='{dataset}/{subject}/{clip}/{onset}-{apex}.npy'))
    with pytest.raises(FileNotFoundError, match='casme2/sub01/EP02_01f/'
                       '46-59.npy'):
        custom(sample())


def test_bad_arguments():
    with pytest.raises(ValueError, match="channels must be a non-empty list "
                       r"of \['u', 'v', 'strain', 'magnitude'\], got "
                       r"\['w'\]"):
        TRANSFORMS.build(dict(type='LoadFlow', flow_root='x',
                              channels=['w']))
    with pytest.raises(ValueError, match='size must be an int or'):
        TRANSFORMS.build(dict(type='LoadFlow', flow_root='x', size=(0, 3)))


def face_pair(tmp_path, clip='EP02_01f', onset=46, apex=59):
    """A textured onset frame and its apex shifted 1.5 px to the right."""
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.uniform(0, 255, (48, 48)).astype(np.float32),
                            (0, 0), 2.0)
    shifted = cv2.warpAffine(base, np.float32([[1, 0, 1.5], [0, 1, 0]]),
                             (48, 48), borderMode=cv2.BORDER_REFLECT)
    folder = tmp_path / 'faces' / 'sub01' / clip
    os.makedirs(folder, exist_ok=True)
    for frame, img in ((onset, base), (apex, shifted)):
        cv2.imwrite(str(folder / f'img{frame}.png'),
                    np.clip(img, 0, 255).astype(np.uint8))
    return sample(frame_dir=str(folder), filename_tmpl='img{}.png')


def test_compute_on_first_load_matches_compute_flow(tmp_path):
    results = face_pair(tmp_path)
    root = tmp_path / 'flow'
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(root),
                              compute=dict(method='dis')))
    out = t(dict(results))
    path = root / 'sub01' / 'EP02_01f' / 'flow_46_59.npy'
    assert out['flow_path'] == str(path) and path.is_file()
    flow = out['imgs'][0]
    # the 1.5 px shift is found inside the frame
    assert abs(float(np.median(flow[8:-8, 8:-8, 0])) - 1.5) < 0.2
    meta = json.loads((root / 'flow_meta.json').read_text())
    assert (meta['method'], meta['options']) == ('dis',
                                                 dict(dis_preset='medium'))
    # the same bytes as tools/data/compute_flow.py's job writes
    cfg = FlowConfig(src=str(tmp_path / 'faces'), dst=str(tmp_path / 'ref'),
                     layout='{subject}/{clip}/img{frame}.png', method='dis',
                     options=dict(dis_preset='medium'))
    job = flow_job(dict(dataset='casme2', subject='sub01', clip='EP02_01f',
                        clip_dir='EP02_01f', onset=46, apex=59), cfg,
                   build_flow('dis'))
    assert job.status == 'done', job.reason
    ref = tmp_path / 'ref' / 'sub01' / 'EP02_01f' / 'flow_46_59.npy'
    assert ref.read_bytes() == path.read_bytes()


def test_computed_once_then_read(tmp_path, monkeypatch):
    results = face_pair(tmp_path)
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(tmp_path / 'f'),
                              compute=dict(method='farneback')))
    first = t(dict(results))['imgs'][0]
    calls = []
    monkeypatch.setattr(flow_transform, 'flow_sample',
                        lambda *a: calls.append(a))
    second = t(dict(results))['imgs'][0]
    assert calls == []  # read from the file, not computed again
    np.testing.assert_array_equal(first, second)
    # a pickled copy (a spawned dataloader worker) works as well
    clone = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(clone(dict(results))['imgs'][0], first)


def test_compute_refuses_a_folder_of_another_method(tmp_path):
    results = face_pair(tmp_path)
    root = tmp_path / 'flow'
    os.makedirs(root)
    (root / 'flow_meta.json').write_text(json.dumps(
        dict(method='tvl1', options=dict(scales=5, warps=5, epsilon=0.01))))
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(root),
                              compute=dict(method='dis')))
    with pytest.raises(ValueError, match=r'holds tvl1 flow .* LoadFlow '
                       r'compute asks for dis'):
        t(dict(results))
    assert not (root / 'sub01').exists()
    same = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(root),
                                 compute=dict(method='tvl1', scales=3,
                                              warps=3)))
    with pytest.raises(ValueError, match='holds tvl1 flow'):
        same(dict(results))  # other options are another flow too


def test_compute_settings_are_checked():
    with pytest.raises(ValueError, match=r"compute needs method= one of "
                       r"\['tvl1', 'dis', 'farneback'\], got 'raft'"):
        TRANSFORMS.build(dict(type='LoadFlow', flow_root='x',
                              compute=dict(method='raft')))
    with pytest.raises(ValueError, match=r"dis has no option\(s\) "
                       r"\['epsilon'\]"):
        TRANSFORMS.build(dict(type='LoadFlow', flow_root='x',
                              compute=dict(method='dis', epsilon=0.1)))


def test_compute_names_a_missing_frame(tmp_path):
    t = TRANSFORMS.build(dict(type='LoadFlow', flow_root=str(tmp_path),
                              compute=dict(method='dis')))
    with pytest.raises(FileNotFoundError,
                       match='frame 46 of sample sub01/EP02_01f not found'):
        t(sample(frame_dir=str(tmp_path / 'none'), filename_tmpl='i{}.png'))
