"""Recognizers of the plugin (MMAction2's ``Recognizer3D`` serves TSFmicro;
spotting has its own)."""
from .spotting_recognizer import MicroExpressionSpotter

__all__ = ['MicroExpressionSpotter']
