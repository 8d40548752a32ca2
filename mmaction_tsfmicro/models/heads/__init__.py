"""Heads."""
from .tsfmicro_head import TSFmicroHead

__all__ = ['TSFmicroHead']
from .spotting_head import SpottingHead  # noqa: E402,F401
from .htnet_head import HTNetHead  # noqa: E402,F401
from .mmnet_head import MMNetHead  # noqa: E402,F401
