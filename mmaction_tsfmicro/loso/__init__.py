"""Leave-one-subject-out evaluation (``tools/loso.py``).

One concept per module, in the order a run meets them:

* :mod:`.options`: the options of a run and the config they give;
* :mod:`.protocol`: what the protocol refuses (selection on the test
  subject) and :class:`ProtocolError`;
* :mod:`.subjects`: the subjects (one fold each) and the fold folders;
* :mod:`.work_dir`: the work dir's files, plan and fold records;
* :mod:`.locks`: the run's lock and each fold's;
* :mod:`.fold_config`: the config of one fold;
* :mod:`.checkpoints`: resuming a fold, pruning a finished one;
* :mod:`.fold`: running one fold (also its subprocess entry point);
* :mod:`.parallel`: folds in child processes (``--jobs``);
* :mod:`.experiment`: the whole run (:func:`run_loso`);
* :mod:`.single_fold`: one fold of a run in a process of its own
  (``--fold``, a Slurm array's task; :func:`run_single_fold`);
* :mod:`.selection`: epoch selection on the test subject (optimistic);
* :mod:`.report`, :mod:`.report_text`, :mod:`.plots`: the pooled report.
"""
from .checkpoints import find_resume_checkpoint
from .experiment import FoldsFailed, run_loso
from .fold import FoldTask, run_fold
from .fold_config import build_fold_config
from .options import LosoOptions
from .protocol import ProtocolError, check_protocol
from .report import build_report, write_report
from .selection import select_epoch
from .single_fold import run_single_fold
from .subjects import config_subjects, fold_name

__all__ = [
    'FoldTask', 'FoldsFailed', 'LosoOptions', 'ProtocolError',
    'build_fold_config', 'build_report', 'check_protocol', 'config_subjects',
    'find_resume_checkpoint', 'fold_name', 'run_fold', 'run_loso',
    'run_single_fold', 'select_epoch', 'write_report'
]
