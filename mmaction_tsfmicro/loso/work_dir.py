"""The LOSO work dir: its files, its plan and the fold records (its locks:
:mod:`.locks`).

A LOSO work dir holds::

    loso_plan.json          subjects, seed, options, config digest
    loso_config.py          the merged config every fold derives from
    loso_options.json       the options that define the run (--resume
                            reuses them)
    fold_<subject>/         one fold (MMEngine work dir of its run)
        fold_config.py      the fold's config (tools/train.py can run it)
        .fold.lock          held while a tools/loso.py --fold process
                            runs the fold
        worker.log          its output (a quiet run, a worker process)
        fold_error.json     why it failed, if it did
        epoch_<N>.pth       checkpoints (every epoch while training; the
                            last one is kept when the fold is done)
        predictions.json    the test subject's predictions (MEMetric)
        fold_result.json    written last: the fold is finished

A new run refuses a work dir that already holds folds; ``--resume``
refuses one that was started with another config, seed, subject list or
``--select-on-test`` choice, and records every command run in the dir.
"""
import datetime
import glob
import hashlib
import os
import os.path as osp
import shlex
import sys
from typing import Callable, Dict, List, Optional

from mmengine.config import Config
from mmengine.dist import get_dist_info

from ..utils.fileio import read_json, remove_tree, write_json, write_text
from .options import LosoOptions, defining_options
from .protocol import ProtocolError, selection_metric
from .subjects import choose_subjects, config_subjects

PLAN_FILE = 'loso_plan.json'
CONFIG_FILE = 'loso_config.py'
FOLD_CONFIG = 'fold_config.py'
FOLD_RECORD = 'fold_result.json'
FOLD_PREDICTIONS = 'predictions.json'
ERROR_FILE = 'fold_error.json'
WORKER_LOG = 'worker.log'
OPTIONS_FILE = 'loso_options.json'


def now() -> str:
    """The local time, ISO 8601."""
    return datetime.datetime.now().astimezone().isoformat(timespec='seconds')


def log(msg: str) -> None:
    """Print a progress line (rank 0 only)."""
    rank, _ = get_dist_info()
    if rank == 0:
        print(f'[loso] {msg}', flush=True)


def config_text(cfg: Config) -> str:
    """The config as Python text, without the keys a resumed run may change
    (``work_dir``, ``launcher``)."""
    cfg = Config({
        k: v
        for k, v in cfg.to_dict().items() if k not in ('work_dir', 'launcher')
    })
    return cfg.pretty_text


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


def has_work(work_dir: str) -> bool:
    """Whether a work dir holds anything a run would lose: a finished fold
    or a checkpoint of an interrupted one."""
    if not osp.isdir(work_dir):
        return False
    for fold in _existing_folds(work_dir):
        folder = osp.join(work_dir, fold)
        if osp.isfile(osp.join(folder, FOLD_RECORD)) or glob.glob(
                osp.join(folder, 'epoch_*.pth')):
            return True
    return False


def clear_run(work_dir: str) -> None:
    """Remove a run that has nothing to keep (see :func:`has_work`): its
    plan, config, options and fold folders."""
    for fold in _existing_folds(work_dir):
        remove_tree(osp.join(work_dir, fold))
    for name in (PLAN_FILE, CONFIG_FILE, OPTIONS_FILE):
        remove_tree(osp.join(work_dir, name))


def stored_options(work_dir: str) -> Optional[Dict]:
    """The defining options a run in ``work_dir`` was started with."""
    path = osp.join(work_dir, OPTIONS_FILE)
    return read_json(path) if osp.isfile(path) else None


def prepare_work_dir(opts: LosoOptions, cfg: Config,
                     shared: bool = False,
                     before_writing: Optional[Callable[[], None]] = None
                     ) -> Dict:
    """Create or check the work dir and its plan; return the plan.

    A new run refuses a work dir that holds a run with something to keep
    (:func:`has_work`); one with nothing to keep (a run that failed before
    any fold saved anything) is replaced. ``--resume`` refuses a plan made
    with another config, seed, subject list or ``--select-on-test`` choice,
    unless there is nothing to keep.

    Args:
        opts (LosoOptions): The options.
        cfg (Config): The merged config.
        shared (bool): For ``tools/loso.py --fold``: other processes may
            run folds of the plan right now, so a plan that differs is
            always refused, never replaced.
        before_writing (callable, optional): Called once the work dir is
            accepted and before anything is written or replaced (the
            checks of :mod:`.preflight`); what it raises leaves the work
            dir as it was.

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
    keep = has_work(work_dir)
    replace = plan is not None and not keep and not shared and (
        not opts.resume or plan['config_sha256'] != digest)
    if replace:
        plan, existing = None, []
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
        world_size=get_dist_info()[1],
        pid=os.getpid())
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
    if before_writing is not None:
        before_writing()
    if replace:
        log(f'{work_dir}: replacing the earlier run there, none of whose '
            'folds had finished or saved a checkpoint')
        clear_run(work_dir)
    if plan is not None:
        plan['invocations'].append(invocation)
    else:
        all_subjects = config_subjects(cfg)
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
        write_json(osp.join(work_dir, OPTIONS_FILE), defining_options(opts))
    write_json(plan_path, plan)
    return plan


# ---------------------------------------------------------------------------
# records and checkpoints
def read_record(fold_dir: str) -> Optional[dict]:
    """The fold's record, or None when the fold has not finished."""
    path = osp.join(fold_dir, FOLD_RECORD)
    if not osp.isfile(path):
        return None
    record = read_json(path)
    if record.get('status') != 'done':
        raise ValueError(f'{path}: status is {record.get("status")!r}, '
                         'expected "done"')
    return record
