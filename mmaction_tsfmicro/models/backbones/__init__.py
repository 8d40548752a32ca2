"""Backbones."""
from .tsfmicro import TSFmicro

__all__ = ['TSFmicro']
