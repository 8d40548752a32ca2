from .runner_args import (add_common_args, add_train_args, build_runner,
                          merge_test_args, merge_train_args, set_local_rank)

__all__ = [
    'add_common_args', 'add_train_args', 'build_runner', 'merge_train_args',
    'merge_test_args', 'set_local_rank'
]
