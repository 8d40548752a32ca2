from .subject_split_check_hook import SubjectSplitCheckHook, dataset_subjects

__all__ = ['SubjectSplitCheckHook', 'dataset_subjects']
