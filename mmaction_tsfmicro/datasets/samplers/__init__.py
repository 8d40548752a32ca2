"""Data samplers, registered in MMAction2's ``DATA_SAMPLERS``."""
from .class_balanced_sampler import ClassBalancedSampler

__all__ = ['ClassBalancedSampler']
