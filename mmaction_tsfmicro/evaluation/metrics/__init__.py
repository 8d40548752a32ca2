"""Metrics of the plugin."""
from .me_metric import MEMetric

__all__ = ['MEMetric']
