"""Command-line arguments of the tools, merged into configs the same way
by ``tools/train.py``, ``tools/test.py`` and ``tools/loso.py``."""
from .cfg_options import CfgOptionsAction, check_cfg_options
from .runner_args import (add_common_args, add_train_args, build_runner,
                          fit_num_workers, load_config, merge_test_args,
                          merge_train_args, set_local_rank)

__all__ = [
    'CfgOptionsAction', 'add_common_args', 'add_train_args', 'build_runner',
    'check_cfg_options', 'fit_num_workers', 'load_config',
    'merge_train_args', 'merge_test_args', 'set_local_rank'
]
