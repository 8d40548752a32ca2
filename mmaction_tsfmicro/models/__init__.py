"""Model components of TSFmicro, registered in MMAction2's ``MODELS``."""
from .backbones import TSFmicro
from .heads import TSFmicroHead
from .necks import TimeSpaceFusion

__all__ = ['TSFmicro', 'TimeSpaceFusion', 'TSFmicroHead']
from .recognizers import MicroExpressionSpotter  # noqa: E402,F401
