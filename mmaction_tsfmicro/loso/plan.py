"""The plan of a LOSO work dir: options, merged config, ``loso_plan.json``.

A new run refuses a work dir that already holds folds; ``--resume``
refuses one that was started with another config, seed, subject list or
``--select-on-test`` choice, and records every command run in the dir.
"""
import argparse
import contextlib
import datetime
import hashlib
import os
import os.path as osp
import shlex
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional

from mmengine.config import Config
from mmengine.dist import get_dist_info

from ..utils.fileio import read_json, write_json, write_text
from .folds import (CONFIG_FILE, FOLD_RECORD, PLAN_FILE, ProtocolError,
                    choose_subjects, config_subjects, selection_metric)

LOCK_FILE = '.loso.lock'


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


def now() -> str:
    """The local time, ISO 8601."""
    return datetime.datetime.now().astimezone().isoformat(timespec='seconds')


def log(msg: str) -> None:
    """Print a progress line (rank 0 only)."""
    rank, _ = get_dist_info()
    if rank == 0:
        print(f'[loso] {msg}', flush=True)


def merged_config(opts: LosoOptions) -> Config:
    """The config with ``--cfg-options``, ``--amp`` and ``--seed`` merged in
    (through the same code as ``tools/train.py``)."""
    from ..apis.runner_args import merge_train_args
    from .folds import ProtocolError
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


def config_text(cfg: Config) -> str:
    """The config as Python text, without the keys a resumed run may change
    (``work_dir``, ``launcher``)."""
    cfg = Config({
        k: v
        for k, v in cfg.to_dict().items() if k not in ('work_dir', 'launcher')
    })
    return cfg.pretty_text


@contextlib.contextmanager
def work_dir_lock(work_dir: str) -> Iterator[None]:
    """Hold an exclusive lock on the work dir (POSIX ``flock``), so that two
    LOSO runs cannot write the same folds; released when the process ends,
    even by a kill."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking
        yield
        return
    path = osp.join(work_dir, LOCK_FILE)
    with open(path, 'a+') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or '?'
            raise ProtocolError(
                f'{work_dir} is in use by another LOSO run (pid {holder}); '
                'wait for it to end or stop it first') from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _first_difference(path: str, text: str) -> str:
    """`` (first difference: ...)`` between a stored config and ``text``."""
    try:
        with open(path, encoding='utf-8') as f:
            old = f.read().splitlines()
    except OSError:
        return ''
    new = text.splitlines()
    for i, (a,
            b) in enumerate(zip(old + [''] * len(new), new + [''] * len(old))):
        if a != b:
            return (f' (first difference, line {i + 1}: {a.strip()!r} '
                    f'became {b.strip()!r})')
    return ''


def _existing_folds(work_dir: str) -> List[str]:
    return sorted(
        d for d in os.listdir(work_dir)
        if d.startswith('fold_') and osp.isdir(osp.join(work_dir, d)))


def prepare_work_dir(opts: LosoOptions, cfg: Config) -> Dict:
    """Create or check the work dir and its plan; return the plan.

    A new run refuses a work dir that already holds folds. ``--resume``
    refuses a plan made with another config, seed, subject list or
    ``--select-on-test`` choice.

    Args:
        opts (LosoOptions): The options.
        cfg (Config): The merged config.

    Returns:
        dict: The plan (``loso_plan.json``).
    """
    work_dir = opts.work_dir
    os.makedirs(work_dir, exist_ok=True)
    plan_path = osp.join(work_dir, PLAN_FILE)
    text = config_text(cfg)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = _existing_folds(work_dir)
    plan = read_json(plan_path) if osp.isfile(plan_path) else None
    if not opts.resume and (plan is not None or existing):
        done = sum(
            osp.isfile(osp.join(work_dir, d, FOLD_RECORD)) for d in existing)
        raise ProtocolError(
            f'{work_dir} already holds a LOSO run ({done} finished '
            f'fold(s) in {len(existing)} fold folder(s)); pass --resume to '
            'continue it, or choose another --work-dir. Nothing was changed.')
    if plan is None and existing:
        raise ProtocolError(
            f'{work_dir} has fold folders but no {PLAN_FILE}; it was not '
            'made by tools/loso.py, or its plan was deleted. Choose another '
            '--work-dir.')
    invocation = dict(
        time=now(),
        command=shlex.join(['python'] + list(opts.argv or sys.argv)),
        cwd=os.getcwd(),
        resume=opts.resume,
        jobs=opts.jobs,
        launcher=opts.launcher,
        world_size=get_dist_info()[1])
    if plan is not None:
        problems = []
        if plan['config_sha256'] != digest:
            problems.append(
                f'the merged config differs from {CONFIG_FILE} (same config '
                'file and --cfg-options/--amp needed)' +
                _first_difference(osp.join(work_dir, CONFIG_FILE), text))
        if opts.seed is not None and opts.seed != plan['seed']:
            problems.append(f"--seed {opts.seed} differs from the run's "
                            f"seed {plan['seed']}")
        if opts.subjects and choose_subjects(
                plan['all_subjects'], opts.subjects) != plan['subjects']:
            problems.append(f"--subjects differs from the run's subjects "
                            f"{plan['subjects']}")
        if bool(opts.select_on_test) != bool(plan['select_on_test']):
            problems.append('--select-on-test must be given as when the run '
                            'started')
        if problems:
            raise ProtocolError(f'cannot resume {work_dir}: ' +
                                '; '.join(problems))
        plan['invocations'].append(invocation)
    else:
        try:
            all_subjects = config_subjects(cfg)
        except FileNotFoundError as e:
            raise ProtocolError(f'{opts.config}: {e}') from None
        seed = cfg.randomness.get('seed')
        if seed is None:
            seed = int.from_bytes(os.urandom(4), 'little') % 2**31
        plan = dict(
            config=osp.abspath(opts.config),
            config_file=CONFIG_FILE,
            config_sha256=digest,
            seed=int(seed),
            all_subjects=all_subjects,
            subjects=choose_subjects(all_subjects, opts.subjects),
            select_on_test=bool(opts.select_on_test),
            selection_metric=selection_metric(cfg)
            if opts.select_on_test else None,
            max_epochs=int(cfg.train_cfg.max_epochs),
            created=now(),
            invocations=[invocation])
        write_text(osp.join(work_dir, CONFIG_FILE), text)
    write_json(plan_path, plan)
    return plan
