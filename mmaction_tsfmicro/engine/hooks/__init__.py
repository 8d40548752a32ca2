"""Hooks of the plugin."""
from .class_count_check_hook import ClassCountCheckHook
from .epoch_predictions_hook import EpochPredictionsHook
from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .subject_split_check_hook import SubjectSplitCheckHook, dataset_subjects

__all__ = [
    'ClassCountCheckHook', 'EpochPredictionsHook', 'EpochSeedHook',
    'SubjectSplitCheckHook', 'dataset_subjects', 'epoch_seed'
]
