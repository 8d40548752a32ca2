"""MEGC metrics and the leave-one-subject-out (LOSO) protocol."""
from . import loso  # noqa: F401  (registers the LOSO hooks)
from .functional import class_stats, confusion_matrix, me_scores
from .metrics import MEMetric

__all__ = ['MEMetric', 'class_stats', 'confusion_matrix', 'me_scores']
