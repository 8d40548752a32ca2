"""TSFmicro and micro-expression recognition for MMAction2.

Importing this package applies the fixes for the upstream defects of the
pinned MMAction2/MMEngine/PyTorch (see :mod:`mmaction_tsfmicro.utils.compat`)
and registers every class of the plugin in MMAction2's registries.
"""
from .utils.compat import apply_upstream_fixes

apply_upstream_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__', 'apply_upstream_fixes']
