"""The MEGC recognition metrics: functional forms and the ``MEMetric``."""
from .functional import class_stats, confusion_matrix, me_scores
from .metrics import MEMetric

__all__ = ['MEMetric', 'class_stats', 'confusion_matrix', 'me_scores']
