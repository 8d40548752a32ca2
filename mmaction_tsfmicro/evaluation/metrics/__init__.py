"""Metrics of the plugin."""
from .me_metric import MEMetric
from .spotting_metric import SpottingMetric

__all__ = ['MEMetric', 'SpottingMetric']
