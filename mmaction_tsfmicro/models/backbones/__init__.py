"""Backbones."""
from .tsfmicro import TSFmicro

__all__ = ['TSFmicro']
from .tsfmicro_seq import TSFmicroSeq  # noqa: E402,F401
from .off_apexnet import OFFApexNet  # noqa: E402,F401
from .ststnet import STSTNet  # noqa: E402,F401
from .htnet import HTNet  # noqa: E402,F401
from .mmnet import MMNet  # noqa: E402,F401
