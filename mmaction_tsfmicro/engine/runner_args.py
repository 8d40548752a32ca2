"""Command-line arguments of ``tools/train.py`` and ``tools/test.py``, and
the runner they build.

They are the arguments of MMAction2's own tools, kept here so that
``tools/loso.py`` and the two tools merge them into a config the same way.
"""
import argparse
import contextlib
import os
import os.path as osp
from typing import Iterator

from mmengine.config import Config

from ..utils.compat import silence_pkg_resources_warning
from ..utils.resources import available_cores
from .cfg_options import CfgOptionsAction, check_cfg_options
from .checkpoint import check_fits, check_load_from

LAUNCHERS = ['none', 'pytorch', 'slurm', 'mpi']


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments that training and testing share."""
    parser.add_argument(
        '--work-dir', help='the dir to save logs, models and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, as key=value pairs, e.g. '
        'train_cfg.max_epochs=2 or key="[a,b]"; no white space inside one')
    parser.add_argument(
        '--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_train_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of MMAction2's ``tools/train.py``."""
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or, given alone, from the latest '
        'checkpoint of the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='set a different seed for each rank')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='set deterministic options for the CUDNN backend')
    add_common_args(parser)


def load_config(path: str) -> Config:
    """Read a config file; a missing one is named in one line."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: config file not found')
    # the configs inherit mmaction::, which makes MMEngine import
    # pkg_resources and its deprecation warning
    silence_pkg_resources_warning()
    return Config.fromfile(path)


def set_local_rank(args: argparse.Namespace) -> None:
    """Export ``LOCAL_RANK`` as MMAction2's tools do."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def default_work_dir(config_path: str) -> str:
    """``./work_dirs/<config name>``, MMAction2's default work dir."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def set_mixed_precision(cfg: Config, config_name: str) -> None:
    """``--amp``: float16 with MMEngine's ``AmpOptimWrapper`` on a GPU
    (CUDA), NPU or MLU; bfloat16 with
    :class:`~mmaction_tsfmicro.engine.optim_wrappers.AutocastOptimWrapper`
    on a CPU with bfloat16 units, tested in bfloat16 too
    (``test_cfg.fp16``); refused in one line on other CPUs."""
    from mmengine.device import (is_cuda_available, is_mlu_available,
                                 is_npu_available)

    from .optim_wrappers import cpu_has_bf16
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper not in ('OptimWrapper', 'AmpOptimWrapper',
                       'AutocastOptimWrapper'):
        raise ValueError(f'--amp does not support the optimizer wrapper '
                         f'{wrapper!r} of {config_name}')
    if is_cuda_available() or is_npu_available() or is_mlu_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        return
    if not cpu_has_bf16():
        raise ValueError('--amp needs a GPU, or a CPU with bfloat16 units '
                         '(AVX512-BF16 or AMX); this CPU has neither: drop '
                         '--amp')
    cfg.optim_wrapper.type = 'AutocastOptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    if cfg.get('test_cfg'):
        cfg.test_cfg.fp16 = True


def merge_train_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge the training arguments into ``cfg`` (as MMAction2 does).

    Args:
        cfg (Config): The loaded config.
        args (argparse.Namespace): Parsed arguments of :func:`add_train_args`.

    Returns:
        Config: ``cfg``, changed in place.
    """
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(args.config)
    if args.amp:
        set_mixed_precision(cfg, args.config)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness', None) is None:
        cfg.randomness = dict(
            seed=args.seed,
            diff_rank_seed=args.diff_rank_seed,
            deterministic=args.deterministic)
    if args.cfg_options is not None:
        check_cfg_options(cfg, args.cfg_options, args.config)
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('load_from'):
        check_load_from(cfg.load_from)
    return cfg


def merge_test_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge the testing arguments into ``cfg`` (as MMAction2 does).

    Args:
        cfg (Config): The loaded config.
        args (argparse.Namespace): Parsed arguments of ``tools/test.py``.

    Returns:
        Config: ``cfg``, changed in place.
    """
    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.default_hooks:
            raise KeyError(f'{args.config}: --show/--show-dir need '
                           'default_hooks.visualization (dict(type='
                           '"MicroExpressionVisualizationHook"))')
        if args.show:
            # refused here, before the model is built: OpenCV's window
            # toolkit aborts the process where there is no display
            from ..visualization.display import check_display
            check_display('--show')
        vis = cfg.default_hooks.visualization
        vis.enable = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.out_dir = args.show_dir
        vis.interval = args.interval
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: the dump file must end '
                             'with .pkl or .pickle')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        cfg.test_evaluator = (list(evaluator) if isinstance(
            evaluator, (list, tuple)) else [evaluator]) + [dump]
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        check_cfg_options(cfg, args.cfg_options, args.config)
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(args.config)
    check_fits(cfg, args.checkpoint, args.config)
    cfg.load_from = args.checkpoint
    return cfg


def fit_num_workers(cfg: Config) -> None:
    """Use no more dataloader workers than the cores this process may use
    (PyTorch warns about more, and they would only compete)."""
    cores = available_cores()
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if isinstance(loader, dict) and (loader.get('num_workers') or
                                         0) > cores:
            loader['num_workers'] = cores


def build_runner(cfg: Config):
    """Build the Runner a config asks for (``runner_type`` or the default),
    with at most one dataloader worker per available core.

    Args:
        cfg (Config): A merged config.

    Returns:
        mmengine.runner.Runner: The runner.
    """
    from mmaction.registry import RUNNERS
    from mmengine.runner import Runner
    fit_num_workers(cfg)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)


@contextlib.contextmanager
def process_group_scope() -> Iterator[None]:
    """End the process group that the block started, if it started one.

    MMEngine's Runner starts the process group of a distributed launch
    (``--launcher pytorch|slurm|mpi``) and never ends it. A process that
    exits with gloo's threads still running can abort in their destructors
    (``terminate called without an active exception``, SIGABRT) after its
    work is done, which torchrun then reports as a failed rank. So every
    tool that builds a runner (or starts the group itself) runs it inside
    this block, and the group ends where it began: after a barrier when
    the block ended well (so that no rank ends it while another still
    works), at once when it failed.

    From the block on, a process that dies of a native abort (SIGABRT,
    SIGSEGV) prints every thread's Python stack on stderr
    (:mod:`faulthandler`, left on after the block to cover the process's
    exit too), so that a rank's abort says where it happened.
    """
    import faulthandler

    import torch.distributed as torch_dist
    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=True)
    started_here = not (torch_dist.is_available()
                        and torch_dist.is_initialized())
    try:
        yield
    except BaseException:
        if started_here and torch_dist.is_available() and \
                torch_dist.is_initialized():
            torch_dist.destroy_process_group()
        raise
    if started_here and torch_dist.is_available() and \
            torch_dist.is_initialized():
        # every rank has finished (rank 0 may still be writing its last
        # checkpoint): a rank that ends the group before the others are
        # done can abort in gloo's threads
        torch_dist.barrier()
        torch_dist.destroy_process_group()
