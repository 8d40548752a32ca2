"""Leave-one-subject-out evaluation: folds, runner, pooled report.

``tools/loso.py`` is the command line of :func:`run_loso`.
"""
from .folds import (ProtocolError, build_fold_config, check_protocol,
                    config_subjects, find_resume_checkpoint, fold_name)
from .runner import LosoOptions, run_fold, run_loso
from .seeding import EpochSeedHook, epoch_seed
from .selection import EpochPredictionsHook, select_epoch

__all__ = [
    'EpochPredictionsHook', 'EpochSeedHook', 'LosoOptions', 'ProtocolError',
    'build_fold_config', 'check_protocol', 'config_subjects', 'epoch_seed',
    'find_resume_checkpoint', 'fold_name', 'run_fold', 'run_loso',
    'select_epoch'
]
