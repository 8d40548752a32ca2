"""TSFmicro and micro-expression recognition for MMAction2.

The package root holds the version only, so that light modules (the
annotation converters, the face preprocessing) import without torch or
MMAction2. Importing :mod:`mmaction_tsfmicro.plugin` registers every module
of the plugin in MMAction2's registries and applies the fixes for upstream
defects; configs do it with ``custom_imports``.
"""
from .version import __version__

__all__ = ['__version__']
