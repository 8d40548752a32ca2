"""Fixtures: a generated data set with moving class blobs and its still
twin, a tiny TSFmicro config on them and a model trained on them."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmaction_tsfmicro.explain.inputs import (build_test_dataset, load_model,
                                              preprocess)
from mmaction_tsfmicro.testing import make_synthetic_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Frame size of the generated clips: the tiny backbone's 16-pixel output
#: cells leave a 4 x 4 grid.
SIZE = 64
CLASSES = 5

CONFIG = '''
_base_ = [{models!r}, {runtime!r}]
model = dict(backbone=dict(input_size={size}))
meta_keys = ('dataset', 'subject', 'subject_key', 'clip', 'sample_idx')
test_pipeline = [
    dict(type='SelectFramePair', mode='annotated'),
    dict(type='LoadFramePair'),
    dict(type='Resize', scale=({size}, {size}), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
test_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MicroExpressionDataset',
        ann_file={ann!r},
        data_prefix=dict(img={root!r}),
        layout='casme2',
        test_subjects=['sub01'],
        pipeline=test_pipeline,
        test_mode=True))
'''


def tiny_config(folder, ann_file: str, root: str, size: int = SIZE) -> Config:
    """The tiny TSFmicro (configs/_base_/models/tsfmicro_tiny.py) at
    ``size`` with the test pipeline on a generated data set."""
    path = osp.join(str(folder), 'tiny_explain.py')
    with open(path, 'w') as f:
        f.write(
            CONFIG.format(
                models=osp.join(REPO, 'configs', '_base_', 'models',
                                'tsfmicro_tiny.py'),
                runtime=osp.join(REPO, 'configs', '_base_',
                                 'default_runtime.py'),
                size=size,
                ann=ann_file,
                root=root))
    return Config.fromfile(path)


def blob_centres(size: int = SIZE, classes: int = CLASSES) -> np.ndarray:
    """``(classes, 2)`` ``(x, y)`` centres of the class blobs of
    :func:`make_synthetic_dataset`."""
    angles = 2 * np.pi * np.arange(classes) / classes
    return np.stack([size / 2 + size / 4 * np.cos(angles),
                     size / 2 + size / 4 * np.sin(angles)], axis=1)


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread in these tests (tiny tensors on a shared 2-core
    machine), restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='session')
def blob_data(tmp_path_factory):
    """Clips whose class blob grows from onset to apex, and the same clips
    (same faces, same noise) without the blob."""
    base = tmp_path_factory.mktemp('explain')
    out = {}
    for name, amplitude in (('moving', 60.), ('still', 0.)):
        root = str(base / name)
        ann = make_synthetic_dataset(
            root, size=SIZE, num_frames=5, amplitude=amplitude)
        out[name] = dict(root=root, ann_file=ann,
                         cfg=tiny_config(base / name, ann, root))
    return out


@pytest.fixture(scope='session')
def trained(blob_data):
    """The tiny model trained on every moving clip (a few full-batch AdamW
    steps, then the BatchNorm statistics settled), in eval mode."""
    cfg = blob_data['moving']['cfg']
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a shared 2-core machine: one is faster
    try:
        return _train(cfg)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: Config) -> dict:
    torch.manual_seed(0)
    model = load_model(cfg, None, 'cpu')
    dataset = build_test_dataset(cfg, None)
    batch = preprocess(model, [dataset[i] for i in range(len(dataset))])
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(60):
        losses = model(batch['inputs'], batch['data_samples'], mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    optimizer.zero_grad()
    with torch.no_grad():  # running statistics of the final weights
        for _ in range(40):
            model(batch['inputs'], batch['data_samples'], mode='loss')
    model.eval()
    return dict(model=model, dataset=dataset, inputs=batch['inputs'],
                data_samples=batch['data_samples'])
