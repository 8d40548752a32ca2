"""What a fold builds, built once before any fold starts.

A fold builds its model, its data sets (which check the annotation file and
that the frame files exist) and its data loaders, and may load
``load_from``. A mistake there (a mistyped key of the config, a value of
the wrong type, a missing frame or checkpoint) would otherwise stop the
first fold after its start, with a fold folder left behind. Built once up
front, it is refused in one line naming the part of the config, with exit
status 2 and nothing written (:class:`~.protocol.ProtocolError`).
"""
import copy
import inspect
import os.path as osp
from typing import Callable, Sequence

from mmengine.config import Config

from ..utils.cli import one_line
from .fold_config import build_fold_config
from .protocol import ProtocolError

#: What MMEngine's ``Runner.build_dataloader`` takes besides the arguments
#: of ``torch.utils.data.DataLoader``.
RUNNER_LOADER_KEYS = ('dataset', 'sampler', 'batch_sampler', 'collate_fn',
                      'worker_init_fn', 'num_batch_per_epoch',
                      'disable_subprocess_warning')


def _loader_keys() -> set:
    from torch.utils.data import DataLoader
    params = inspect.signature(DataLoader.__init__).parameters
    return (set(params) - {'self'}) | set(RUNNER_LOADER_KEYS)


def _built(what: str, build: Callable[[], object]) -> object:
    """``build()``, or a :class:`ProtocolError` naming ``what``."""
    try:
        return build()
    except Exception as e:  # noqa: BLE001 - the config's mistake, named
        raise ProtocolError(f'{what}: {one_line(e)}') from None


def check_buildable(cfg: Config, subjects: Sequence[str], seed: int,
                    select_on_test: bool) -> None:
    """Build the model and the data sets of the first fold, and check the
    data loaders' keys, as every fold would (``load_from`` is read by
    :func:`~mmaction_tsfmicro.engine.runner_args.merge_train_args`).

    Args:
        cfg (Config): The merged LOSO config.
        subjects (Sequence[str]): The run's subjects (the first is built).
        seed (int): The run's seed.
        select_on_test (bool): Whether the test subject is also validated.

    Raises:
        ProtocolError: One line naming the part of the config that cannot
            be built, and why.
    """
    from mmaction.registry import DATASETS, MODELS
    from mmengine.registry import init_default_scope
    if not subjects:
        return
    fold_cfg = build_fold_config(cfg, subjects[0], osp.join('.', 'preflight'),
                                 seed, select_on_test)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    _built('model', lambda: MODELS.build(copy.deepcopy(fold_cfg.model)))
    allowed = _loader_keys()
    for key in ('train_dataloader', 'test_dataloader', 'val_dataloader'):
        loader = fold_cfg.get(key)
        if not loader:
            continue
        unknown = sorted(set(loader) - allowed)
        if unknown:
            raise ProtocolError(
                f'{key}.{unknown[0]}: not an argument of a data loader '
                "(MMEngine's Runner.build_dataloader and torch's DataLoader "
                f"take {', '.join(sorted(allowed))})")
        _built(f'{key}.dataset',
               lambda: DATASETS.build(copy.deepcopy(loader['dataset'])))

