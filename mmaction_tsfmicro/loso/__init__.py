"""Leave-one-subject-out evaluation (``tools/loso.py``).

One concept per module, in the order a run meets them:

* :mod:`.options`: the options of a run and the config they give;
* :mod:`.protocol`: what the protocol refuses (selection on the test
  subject) and :class:`ProtocolError`;
* :mod:`.subjects`: the subjects (one fold each) and the fold folders;
* :mod:`.work_dir`: the work dir's files, plan and fold records;
* :mod:`.locks`: the run's lock and each fold's;
* :mod:`.frames`: the frames the folds read, decoded once;
* :mod:`.fold_config`: the config of one fold;
* :mod:`.checkpoints`: resuming a fold, pruning a finished one;
* :mod:`.fold`: running one fold;
* :mod:`.pool`: the worker processes of ``--jobs N``;
* :mod:`.experiment`: the one orchestrator (:func:`run_loso`): a whole
  run, or one fold of it (``--fold``);
* :mod:`.selection`: epoch selection on the test subject (optimistic);
* :mod:`.report`, :mod:`.report_text`, :mod:`.plots`: the pooled report.
"""
from .checkpoints import find_resume_checkpoint
from .experiment import FoldsFailed, pick_subject, run_loso
from .fold import FoldTask, run_fold
from .fold_config import build_fold_config
from .options import LosoOptions
from .protocol import ProtocolError, check_protocol
from .report import build_report, write_report
from .selection import select_epoch
from .subjects import config_subjects, fold_name

__all__ = [
    'FoldTask', 'FoldsFailed', 'LosoOptions', 'ProtocolError',
    'build_fold_config', 'build_report', 'check_protocol', 'config_subjects',
    'find_resume_checkpoint', 'fold_name', 'pick_subject', 'run_fold',
    'run_loso', 'select_epoch', 'write_report'
]
