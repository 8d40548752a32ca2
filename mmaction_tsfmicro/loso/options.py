"""The options of a LOSO run and the config they give."""
import argparse
from dataclasses import dataclass, field
from typing import List, Optional

from mmengine.config import Config

from ..apis.runner_args import merge_train_args
from .protocol import ProtocolError


@dataclass
class LosoOptions:
    """The options of a LOSO run (``tools/loso.py``'s arguments).

    Args:
        config (str): The config file.
        work_dir (str): The LOSO work dir.
        subjects (list[str], optional): Run only these subjects.
        resume (bool): Continue the run in ``work_dir``.
        jobs (int): Folds run at once, one process each.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``:
            every fold is one distributed job over the launched ranks.
        cfg_options (dict, optional): Config overrides.
        amp (bool): Automatic mixed precision.
        seed (int, optional): Random seed (default: the config's).
        deterministic (bool): Deterministic CUDNN.
        select_on_test (bool): Also validate on the test subject every
            epoch and report the best epoch's numbers (optimistic).
        threads (int, optional): Torch threads per fold (default: all
            cores for one job, ``cores // jobs`` for several).
        keep_checkpoints (str): ``'last'`` keeps the last epoch's
            checkpoint of a finished fold, ``'none'`` deletes them all.
        argv (list[str], optional): The command line, for the record.
    """
    config: str
    work_dir: str
    subjects: Optional[List[str]] = None
    resume: bool = False
    jobs: int = 1
    launcher: str = 'none'
    cfg_options: Optional[dict] = None
    amp: bool = False
    seed: Optional[int] = None
    deterministic: bool = False
    select_on_test: bool = False
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'
    argv: Optional[List[str]] = field(default=None)


def merged_config(opts: LosoOptions) -> Config:
    """The config with ``--cfg-options``, ``--amp`` and ``--seed`` merged in
    (through the same code as ``tools/train.py``)."""
    try:
        cfg = Config.fromfile(opts.config)
    except FileNotFoundError as e:
        raise ProtocolError(str(e)) from None
    args = argparse.Namespace(
        config=opts.config,
        work_dir=opts.work_dir,
        launcher=opts.launcher,
        no_validate=False,
        amp=opts.amp,
        resume=None,
        auto_scale_lr=False,
        seed=opts.seed,
        diff_rank_seed=False,
        deterministic=opts.deterministic,
        cfg_options=opts.cfg_options)
    try:
        cfg = merge_train_args(cfg, args)
    except ValueError as e:  # a bad --amp / --cfg-options
        raise ProtocolError(str(e)) from None
    randomness = dict(cfg.get('randomness') or {})
    if opts.seed is not None:
        randomness['seed'] = opts.seed
    if opts.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    return cfg
