from collections import Counter

import pytest
from mmaction.registry import DATA_SAMPLERS

from mmaction_tsfmicro.datasets.samplers import ClassBalancedSampler


class Labels:
    """The part of an MMEngine dataset the sampler reads."""

    def __init__(self, labels):
        self.labels = list(labels)

    def __len__(self):
        return len(self.labels)

    def get_data_info(self, i):
        return dict(label=self.labels[i])


# CASME II's 5-class counts (happiness, disgust, repression, surprise,
# others)
CASME2 = Labels([0] * 32 + [1] * 63 + [2] * 27 + [3] * 28 + [4] * 99)


def drawn_classes(sampler, epochs):
    counts = Counter()
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        counts.update(CASME2.labels[i] for i in sampler)
    return counts


def test_every_class_is_drawn_about_equally():
    sampler = DATA_SAMPLERS.build(
        dict(type='ClassBalancedSampler', dataset=CASME2, seed=0))
    assert isinstance(sampler, ClassBalancedSampler)
    assert len(sampler) == 249 and len(list(sampler)) == 249
    assert sampler.class_counts == {0: 32, 1: 63, 2: 27, 3: 28, 4: 99}
    counts = drawn_classes(sampler, 40)
    total = sum(counts.values())
    assert total == 40 * 249
    shares = {c: n / total for c, n in counts.items()}
    assert all(abs(s - 0.2) < 0.02 for s in shares.values()), shares
    # without it, 'others' is 40 % of an epoch and 'repression' 11 %
    assert max(shares.values()) / min(shares.values()) < 1.2


def test_draw_depends_on_seed_and_epoch_only():
    a = ClassBalancedSampler(CASME2, seed=3)
    b = ClassBalancedSampler(CASME2, seed=3)
    a.set_epoch(5)
    b.set_epoch(5)
    assert list(a) == list(b)
    b.set_epoch(6)
    assert list(a) != list(b)
    assert list(ClassBalancedSampler(CASME2, seed=4)) != list(
        ClassBalancedSampler(CASME2, seed=3))


def test_minority_samples_repeat_and_all_are_reachable():
    sampler = ClassBalancedSampler(CASME2, seed=0)
    drawn = Counter()
    for epoch in range(20):
        sampler.set_epoch(epoch)
        drawn.update(sampler)
    assert set(drawn) == set(range(249))
    repression = [drawn[i] for i in range(95, 122)]
    others = [drawn[i] for i in range(150, 249)]
    assert sum(repression) / 27 > 2.5 * sum(others) / 99


def test_switches_from_a_default_sampler_config_by_type():
    cfg = dict(type='DefaultSampler', shuffle=True)
    cfg['type'] = 'ClassBalancedSampler'
    sampler = DATA_SAMPLERS.build(cfg, default_args=dict(dataset=CASME2,
                                                         seed=1))
    assert isinstance(sampler, ClassBalancedSampler) and sampler.seed == 1
    with pytest.raises(ValueError, match='has no shuffle=False'):
        ClassBalancedSampler(CASME2, shuffle=False)


def test_num_samples_and_errors():
    assert len(ClassBalancedSampler(CASME2, seed=0, num_samples=10)) == 10
    with pytest.raises(ValueError, match='the dataset is empty'):
        ClassBalancedSampler(Labels([]), seed=0)
    with pytest.raises(KeyError, match='sample 0 of the dataset has no '
                       'label'):
        ClassBalancedSampler(Labels([None]), seed=0)
