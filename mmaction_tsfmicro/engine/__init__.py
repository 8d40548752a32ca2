"""Running the plugin: the tools' arguments merged into configs, the runner
they build, and the hooks of the plugin."""
from .cfg_options import CfgOptionsAction, check_cfg_options
from .hooks import (ClassCountCheckHook, EpochPredictionsHook, EpochSeedHook,
                    SubjectSplitCheckHook, dataset_subjects, epoch_seed)
from .optim_wrappers import AutocastOptimWrapper, cpu_has_bf16
from .runner_args import (add_common_args, add_train_args, build_runner,
                          fit_num_workers, load_config, merge_test_args,
                          merge_train_args, process_group_scope,
                          set_local_rank)

__all__ = [
    'ClassCountCheckHook', 'EpochPredictionsHook', 'EpochSeedHook',
    'SubjectSplitCheckHook', 'dataset_subjects', 'epoch_seed',
    'CfgOptionsAction', 'add_common_args', 'add_train_args', 'build_runner',
    'check_cfg_options', 'fit_num_workers', 'load_config',
    'merge_train_args', 'merge_test_args', 'process_group_scope',
    'set_local_rank', 'AutocastOptimWrapper', 'cpu_has_bf16'
]
