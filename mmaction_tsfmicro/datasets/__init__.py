"""Micro-expression datasets and their transforms (stage 2: the records of
an annotation file become model inputs)."""
from .me_dataset import MicroExpressionDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['MicroExpressionDataset']
from .long_video_dataset import LongVideoDataset  # noqa: E402,F401
