"""Every training sample's randomness as a function of (seed, epoch,
index), whichever process, worker or resumed run draws it.

MMEngine's ``DefaultSampler`` yields indices; the dataloader workers then
run the pipeline with their own random generators, whose state depends on
how many workers there are and on how long they have lived. That is why
:class:`~mmaction_tsfmicro.engine.hooks.EpochSeedHook` reseeds the workers
of every epoch and refuses persistent ones. :class:`SampleSeedSampler`
yields ``SeededIndex(index, seed)`` instead, the seed derived from the
run's seed, the epoch and the index; :class:`~mmaction_tsfmicro.datasets.
MicroExpressionDataset` runs the sample's pipeline with ``random`` and
``numpy`` seeded from it (and puts the generators back afterwards). A
sample is then augmented alike with 0, 2 or 8 workers, persistent or not,
and in a resumed run: ``persistent_workers=True`` becomes exact.
"""
import contextlib
import random
from typing import Iterator, NamedTuple

import numpy as np
from mmengine.dataset import DefaultSampler

from mmaction.registry import DATA_SAMPLERS


class SeededIndex(NamedTuple):
    """A sample's index and the seed of its randomness."""
    index: int
    seed: int


def sample_seed(seed: int, epoch: int, index: int) -> int:
    """A 32-bit seed of ``(seed, epoch, index)``."""
    return int(
        np.random.SeedSequence([int(seed) % 2**32, int(epoch),
                                int(index)]).generate_state(1)[0])


@contextlib.contextmanager
def seeded_generators(seed: int):
    """``random`` and ``numpy`` seeded with ``seed`` inside the block, as
    they were after it."""
    py_state, np_state = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


@DATA_SAMPLERS.register_module()
class SampleSeedSampler(DefaultSampler):
    """``DefaultSampler`` (the same order, shuffled with ``seed + epoch``)
    whose indices carry a seed for their sample's randomness.

    Use it in place of the training dataloader's ``DefaultSampler`` to keep
    persistent workers exact::

        train_dataloader = dict(
            persistent_workers=True,
            sampler=dict(type='SampleSeedSampler', shuffle=True))

    The dataset must understand :class:`SeededIndex`
    (:class:`~mmaction_tsfmicro.datasets.MicroExpressionDataset` does).
    The samples' random draws differ from those of ``DefaultSampler``'s
    runs (another stream), so a config switching to it gives other, equally
    valid, numbers.
    """

    def __iter__(self) -> Iterator[SeededIndex]:
        for index in super().__iter__():
            yield SeededIndex(int(index),
                              sample_seed(self.seed, self.epoch, index))
