"""The options of a LOSO run, the config they give, and reusing them.

The options that define a run (:data:`DEFINING`) are stored in its work dir
(``loso_options.json``); ``--resume`` takes those not given again from
there and refuses given ones that differ. The others (``--jobs``,
``--threads``, ``--launcher``, ``--keep-checkpoints``, ``--fold``...) only
say how the run is carried out and may change on every resume.
"""
import argparse
import os.path as osp
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional

from mmengine.config import Config

from ..engine.runner_args import merge_train_args
from .protocol import ProtocolError


@dataclass
class LosoOptions:
    """The options of a LOSO run (``tools/loso.py``'s arguments).

    Args:
        config (str): The config file.
        work_dir (str): The LOSO work dir.
        subjects (list[str], optional): Run only these subjects.
        resume (bool): Continue the run in ``work_dir``.
        jobs (int, optional): Folds run at once, one process each; None
            chooses from the machine (:func:`~.parallel.default_jobs`).
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
        frame_cache (str): ``'auto'`` decodes the frames once into a cache
            in the work dir (:mod:`.frames`), ``'off'`` reads the files.
        verbose (bool): Show the folds' logs on the console with one job
            (they always go to each fold's ``worker.log``).
        fold (str, optional): Run only this fold of the run (a subject, or
            its index in the run's subjects): one task of an array.
        allocator (str): ``'tuned'`` (glibc settings that keep freed
            memory in the fold processes, :mod:`~mmaction_tsfmicro.utils.
            allocator`) or ``'glibc'`` (its defaults).
        argv (list[str], optional): The command line, for the record.
    """
    config: str
    work_dir: str
    subjects: Optional[List[str]] = None
    resume: bool = False
    jobs: Optional[int] = 1
    launcher: str = 'none'
    cfg_options: Optional[dict] = None
    amp: bool = False
    seed: Optional[int] = None
    deterministic: bool = False
    select_on_test: bool = False
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'
    frame_cache: str = 'auto'
    verbose: bool = False
    fold: Optional[str] = None
    allocator: str = 'tuned'
    argv: Optional[List[str]] = field(default=None)

    @classmethod
    def from_args(cls, args: argparse.Namespace,
                  argv: Optional[List[str]] = None) -> 'LosoOptions':
        """The options of parsed ``tools/loso.py`` arguments (every field
        of the class by its name; other arguments are ignored)."""
        values = {
            f.name: getattr(args, f.name)
            for f in fields(cls) if hasattr(args, f.name)
        }
        return cls(**values, argv=argv)


#: The options that define a run (its results depend on them).
DEFINING = ('cfg_options', 'amp', 'seed', 'deterministic', 'select_on_test',
            'subjects')


def defining_options(opts: LosoOptions) -> Dict[str, Any]:
    """The options to store with a run (``loso_options.json``)."""
    out = {k: getattr(opts, k) for k in DEFINING}
    out['cfg_options'] = dict(out['cfg_options'] or {})
    out['config'] = osp.abspath(opts.config)
    return out


def _show(value: Any) -> str:
    return 'not given' if value in (None, False, {}, []) else repr(value)


def _cfg_options_differences(given: Dict, stored: Dict) -> List[str]:
    out = []
    for key in sorted(set(given) | set(stored)):
        if key not in stored:
            out.append(f'{key}={given[key]!r} (the run has none)')
        elif key not in given:
            out.append(f'{key} missing (the run has {stored[key]!r})')
        elif given[key] != stored[key]:
            out.append(f'{key}={given[key]!r} (the run has {stored[key]!r})')
    return out


def reuse_options(opts: LosoOptions, stored: Dict[str, Any],
                  strict: bool = True) -> List[str]:
    """Take the options of a run being resumed.

    Options not given again are taken from ``stored``. With ``strict``, a
    given option that differs from the run's is refused; otherwise the
    given one wins (a run with nothing to keep starts afresh).

    Args:
        opts (LosoOptions): The options of this command; changed in place.
        stored (dict): :func:`defining_options` of the run.
        strict (bool): Refuse differences.

    Returns:
        list[str]: The options that differ (empty under ``strict``).

    Raises:
        ProtocolError: Under ``strict``, naming every option that differs.
    """
    problems = []
    for key in DEFINING:
        given, old = getattr(opts, key), stored.get(key)
        if key == 'cfg_options':
            given, old = dict(given or {}), dict(old or {})
        if given is None or given is False or given == {}:
            setattr(opts, key, old if key != 'cfg_options' else (old or None))
            continue
        if key == 'cfg_options':
            diff = _cfg_options_differences(given, old)
            if diff:
                problems.append('--cfg-options ' + ', '.join(diff))
        elif given != old:
            flag = '--' + key.replace('_', '-')
            problems.append(f'{flag} {_show(given)} (the run has '
                            f'{_show(old)})')
    if problems and strict:
        raise ProtocolError(
            'the options differ from those the run was started with: ' +
            '; '.join(problems) + '. Leave them out to reuse the run\'s '
            '(stored in loso_options.json), or choose another --work-dir')
    return problems


def merged_config(opts: LosoOptions) -> Config:
    """The config with ``--cfg-options``, ``--amp`` and ``--seed`` merged in
    (through the same code as ``tools/train.py``)."""
    if not osp.isfile(opts.config):
        raise ProtocolError(f'{opts.config}: config file not found')
    cfg = Config.fromfile(opts.config)
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
