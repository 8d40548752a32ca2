"""SampleSeedSampler: DefaultSampler's order, each index with a seed of
(seed, epoch, index); MicroExpressionDataset runs a seeded index's
pipeline with its seed (the same augmentation whatever the generators'
state was) and puts the generators back."""
import random

import numpy as np
import torch
from mmaction.registry import DATA_SAMPLERS, DATASETS
from mmengine.dataset import DefaultSampler

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.datasets.samplers import (SampleSeedSampler,
                                                 SeededIndex, sample_seed)

AUGMENTED = [
    dict(type='SelectFramePair', mode='jitter'),
    dict(type='LoadFramePair'),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomRotate', max_angle=3),
    dict(type='PaddedRandomCrop', size=32, padding=4),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]


def test_the_order_is_default_samplers_and_each_index_has_its_seed():
    data = list(range(12))
    seeded = DATA_SAMPLERS.build(dict(type='SampleSeedSampler',
                                      dataset=data, seed=3, shuffle=True))
    assert isinstance(seeded, SampleSeedSampler)
    plain = DefaultSampler(data, seed=3, shuffle=True)
    seeds = set()
    for epoch in (0, 1):
        seeded.set_epoch(epoch)
        plain.set_epoch(epoch)
        drawn = list(seeded)
        assert [d.index for d in drawn] == list(plain)
        assert all(d.seed == sample_seed(3, epoch, d.index) for d in drawn)
        seeds.update(d.seed for d in drawn)
    assert len(seeds) == 24  # a new seed for every (epoch, index)


def test_a_seeded_sample_is_augmented_alike_and_the_generators_kept(
        synthetic_data):
    ds = DATASETS.build(dict(
        type='MicroExpressionDataset', ann_file=synthetic_data['ann_file'],
        data_prefix=dict(img=synthetic_data['root']), pipeline=AUGMENTED))
    first = []
    for state in (1, 2):  # other global states: the same samples
        random.seed(state)
        np.random.seed(state)
        before = np.random.get_state()[1].copy()
        first.append([ds[SeededIndex(i, 100 + i)]['inputs']
                      for i in range(6)])
        assert np.array_equal(np.random.get_state()[1], before)
    assert all(torch.equal(a, b) for a, b in zip(*first))
    # other seeds draw other augmentations of the same samples
    other = [ds[SeededIndex(i, 200 + i)]['inputs'] for i in range(6)]
    assert not all(torch.equal(a, b) for a, b in zip(first[0], other))
    # a plain index still works
    assert ds[0]['inputs'].shape == first[0][0].shape
