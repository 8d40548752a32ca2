"""Necks."""
from .time_space_fusion import TimeSpaceFusion

__all__ = ['TimeSpaceFusion']
