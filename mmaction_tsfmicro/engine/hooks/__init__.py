from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .subject_split_check_hook import SubjectSplitCheckHook, dataset_subjects

__all__ = [
    'EpochSeedHook', 'SubjectSplitCheckHook', 'dataset_subjects', 'epoch_seed'
]
