import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose

import mmaction_tsfmicro.datasets.transforms.flow  # noqa: F401 (registers)
from mmaction_tsfmicro.preprocessing.flow import save_flow


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
        '(sample sub01/EP02_01f)')
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
