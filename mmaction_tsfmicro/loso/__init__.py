"""Leave-one-subject-out evaluation (``tools/loso.py``).

* :mod:`.folds`: the subjects, each fold's config, record and checkpoints;
* :mod:`.plan`: the options and the plan of a work dir;
* :mod:`.runner`: running the folds (in this process or distributed);
* :mod:`.parallel`: running folds in child processes (``--jobs``);
* :mod:`.selection`: epoch selection on the test subject (optimistic);
* :mod:`.report`, :mod:`.plots`: the pooled report.
"""
from .folds import (FoldTask, ProtocolError, build_fold_config, check_protocol,
                    config_subjects, find_resume_checkpoint, fold_name)
from .plan import LosoOptions
from .report import build_report, write_report
from .runner import run_fold, run_loso
from .selection import select_epoch

__all__ = [
    'FoldTask', 'LosoOptions',
    'ProtocolError', 'build_fold_config', 'build_report', 'check_protocol',
    'config_subjects', 'find_resume_checkpoint', 'fold_name',
    'run_fold', 'run_loso', 'select_epoch', 'write_report'
]
