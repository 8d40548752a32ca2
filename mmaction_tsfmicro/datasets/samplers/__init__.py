"""Data samplers, registered in MMAction2's ``DATA_SAMPLERS``."""
from .class_balanced_sampler import ClassBalancedSampler

__all__ = ['ClassBalancedSampler']
from .sample_seed_sampler import (SampleSeedSampler,  # noqa: E402,F401
                                  SeededIndex, sample_seed,
                                  seeded_generators)
