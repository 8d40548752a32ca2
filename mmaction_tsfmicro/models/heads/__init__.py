"""Heads."""
from .tsfmicro_head import TSFmicroHead

__all__ = ['TSFmicroHead']
