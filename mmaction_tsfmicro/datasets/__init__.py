"""Micro-expression datasets and their transforms."""
from .me_dataset import (DEFAULT_LAYOUTS, MicroExpressionDataset,
                         read_subjects, subject_keys)
from .transforms import *  # noqa: F401,F403

__all__ = [
    'MicroExpressionDataset', 'DEFAULT_LAYOUTS', 'read_subjects',
    'subject_keys'
]
