"""Building blocks shared by the plugin's models."""
from .retention_forms import FORMS
from .temporal_retention import (TemporalRetention, TemporalRetentionBlock,
                                 TemporalRetentionStack, state_numel)

__all__ = [
    'FORMS', 'TemporalRetention', 'TemporalRetentionBlock',
    'TemporalRetentionStack', 'state_numel'
]
