"""Small generated data sets for tests, smoke runs and benchmarks."""
from .synthetic import make_synthetic_dataset

__all__ = ['make_synthetic_dataset']
