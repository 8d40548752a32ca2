"""Data samplers, registered in MMAction2's ``DATA_SAMPLERS``."""
from .class_balanced_sampler import ClassBalancedSampler
from .sample_seed_sampler import (SampleSeedSampler, SeededIndex, sample_seed,
                                  seeded_generators)

__all__ = [
    'ClassBalancedSampler', 'SampleSeedSampler', 'SeededIndex', 'sample_seed',
    'seeded_generators'
]
