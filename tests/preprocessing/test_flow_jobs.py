"""Onset-to-apex flow of annotated samples, on small textured frames."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.preprocessing.flow import (FlowEstimator,
                                                  flow_file_complete,
                                                  load_flow)
from mmaction_tsfmicro.preprocessing.flow_jobs import (FlowConfig, check_meta,
                                                       flow_job, flow_samples,
                                                       run_flow, sample_key)

SIZE = 48


def texture(shift=0):
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(
        rng.integers(0, 256, (SIZE, SIZE + 4), dtype=np.uint8), (5, 5), 1.5)
    return np.ascontiguousarray(image[:, shift:shift + SIZE])


def make_frames(root, subject='s1', clip='c1', frames=(1, 3)):
    for i, frame in enumerate(frames):
        path = frame_path('casme2', str(root), subject, clip, frame)
        os.makedirs(osp.dirname(path), exist_ok=True)
        assert cv2.imwrite(path, texture(2 * i))


def config(tmp_path, **kwargs):
    return FlowConfig(src=str(tmp_path / 'faces'), dst=str(tmp_path / 'flow'),
                      layout='casme2', method='farneback', **kwargs)


def sample(clip='c1', onset=1, apex=3):
    return dict(dataset='casme2', subject='s1', clip=clip, clip_dir=clip,
                onset=onset, apex=apex)


def test_flow_samples_are_distinct():
    recs = [
        dict(dataset='casme3', subject='p', clip='a_1', clip_dir='a',
             onset=1, apex=2),
        dict(dataset='casme3', subject='p', clip='a_1', clip_dir='a',
             onset=1, apex=2, offset=4),  # the same pair again
        dict(dataset='casme3', subject='p', clip='b', onset=5, apex=7),
        dict(dataset='samm', subject='006', clip='x', onset=1, apex=2),
    ]
    samples = flow_samples(recs, 'casme3')
    assert samples == [
        dict(dataset='casme3', subject='p', clip='a_1', clip_dir='a',
             onset=1, apex=2),
        dict(dataset='casme3', subject='p', clip='b', clip_dir='b', onset=5,
             apex=7),
    ]
    assert sample_key(samples[1]) == 'p/b 5-7'
    assert len(flow_samples(recs)) == 3


def test_meta_records_the_method_and_refuses_another(tmp_path):
    cfg = config(tmp_path)
    check_meta(cfg)
    path = tmp_path / 'flow' / 'flow_meta.json'
    meta = json.loads(path.read_text())
    assert meta == dict(method='farneback', options={},
                        channels=['u', 'v', 'strain'], dtype='float16',
                        path_template='{subject}/{clip}/flow_{onset}_{apex}'
                        '.npy', frames_layout='{subject}/{clip}/img{frame}'
                        '.jpg', src=str(tmp_path / 'faces'))
    check_meta(cfg)  # the same method again is fine
    other = FlowConfig(src=cfg.src, dst=cfg.dst, layout='casme2',
                       method='dis', options=dict(dis_preset='fast'))
    with pytest.raises(ValueError) as err:
        check_meta(other)
    assert str(err.value) == (
        f"{path}: this folder holds farneback flow with options {{}}; use "
        "another --dst for dis with options {'dis_preset': 'fast'}")
    path.write_text('{"method": ')
    with pytest.raises(ValueError, match='flow_meta.json: not valid JSON'):
        check_meta(cfg)
    assert [p.name for p in path.parent.iterdir()] == ['flow_meta.json']


def test_flow_job(tmp_path):
    make_frames(tmp_path / 'faces')
    cfg = config(tmp_path)
    est = FlowEstimator('farneback')
    result = flow_job(sample(), cfg, est)
    assert (result.key, result.status, result.num_frames) == ('s1/c1 1-3',
                                                              'done', 2)
    flow = load_flow(str(tmp_path / 'flow' / 's1' / 'c1' / 'flow_1_3.npy'))
    assert flow.shape == (SIZE, SIZE, 3)
    # the apex frame is the onset frame moved 2 px left
    assert -2.5 < np.median(flow[8:-8, 8:-8, 0]) < -1.5
    assert flow_job(sample(), cfg, est).reason == 'already done'
    # a flow file cut short (a half-copied folder) is computed again, not
    # skipped as done
    out = tmp_path / 'flow' / 's1' / 'c1' / 'flow_1_3.npy'
    whole = out.read_bytes()
    out.write_bytes(whole[:len(whole) // 2])
    assert not flow_file_complete(str(out))
    assert flow_job(sample(), cfg, est).status == 'done'
    assert out.read_bytes() == whole and flow_file_complete(str(out))
    redo = FlowConfig(src=cfg.src, dst=cfg.dst, layout='casme2',
                      method='farneback', overwrite=True)
    assert flow_job(sample(), redo, est).status == 'done'
    missing = frame_path('casme2', cfg.src, 's1', 'c1', 9)
    assert flow_job(sample(apex=9), cfg, est).reason == (
        f'missing apex frame 9: {missing}')
    small = frame_path('casme2', cfg.src, 's1', 'c1', 5)
    cv2.imwrite(small, texture()[:32])
    assert flow_job(sample(apex=5), cfg, est).reason == (
        f'onset and apex frames differ in size ({SIZE}, {SIZE}) vs '
        f'(32, {SIZE})')
    with open(small, 'wb') as f:
        f.write(b'not an image')
    assert flow_job(sample(apex=5), cfg, est).reason == (
        f'cannot decode apex frame 5: {small}')
    cv2.imwrite(small, texture())
    with open(small, 'rb') as f:
        data = f.read()
    with open(small, 'wb') as f:  # a copy cut short: the rest decodes grey
        f.write(data[:len(data) // 2])
    assert cv2.imread(small) is not None
    assert flow_job(sample(apex=5), cfg, est).reason == (
        'truncated apex frame 5 (the JPEG data ends before its end-of-image '
        f'marker): {small}')


def test_run_flow_in_order(tmp_path):
    make_frames(tmp_path / 'faces', clip='c1')
    make_frames(tmp_path / 'faces', clip='c2')
    samples = [sample('c2'), sample('c1'), sample('c3')]
    seen = []
    results = run_flow(samples, config(tmp_path), progress=False,
                       on_result=seen.append)
    assert [(r.key, r.status) for r in results] == [
        ('s1/c2 1-3', 'done'), ('s1/c1 1-3', 'done'), ('s1/c3 1-3', 'failed')
    ]
    assert seen == results
    assert (tmp_path / 'flow' / 'flow_meta.json').is_file()
