"""LOSO folds: the subjects, each fold's config, its record and checkpoints.

A LOSO work dir holds::

    loso_plan.json          subjects, seed, options, config digest
    loso_config.py          the merged config every fold derives from
    fold_<subject>/         one fold (MMEngine work dir of its run)
        fold_config.py      the fold's config (tools/train.py can run it)
        epoch_<N>.pth       checkpoints (every epoch while training; the
                            last one is kept when the fold is done)
        predictions.json    the test subject's predictions (MEMetric)
        fold_result.json    written last: the fold is finished
"""
import copy
import glob
import os
import os.path as osp
import re
import zipfile
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config

from ..datasets.me_dataset import read_subjects
from ..utils.fileio import read_json

PLAN_FILE = 'loso_plan.json'
CONFIG_FILE = 'loso_config.py'
FOLD_CONFIG = 'fold_config.py'
FOLD_RECORD = 'fold_result.json'
FOLD_PREDICTIONS = 'predictions.json'
TASK_FILE = 'fold_task.json'

#: Hooks that pick a model by its score on the evaluation split.
SELECTING_HOOKS = ('EarlyStoppingHook', )


class ProtocolError(ValueError):
    """A config or option that would break the LOSO protocol."""


def fold_name(subject: str) -> str:
    """The folder name of a subject's fold: ``fold_<subject>``, with every
    character but letters, digits, ``.``, ``_`` and ``-`` (e.g. the ``/`` of
    ``casme2/sub01``) replaced by ``_``."""
    return 'fold_' + re.sub(r'[^A-Za-z0-9._-]', '_', str(subject))


def fold_names(subjects: Sequence[str]) -> Dict[str, str]:
    """Folder names of the folds, checked to be distinct.

    Args:
        subjects (Sequence[str]): Subject keys.

    Returns:
        dict[str, str]: Subject key -> folder name.
    """
    names = {s: fold_name(s) for s in subjects}
    seen: Dict[str, str] = {}
    for subject, name in names.items():
        if name in seen:
            raise ValueError(f'subjects {seen[name]!r} and {subject!r} map '
                             f'to the same fold folder {name!r}')
        seen[name] = subject
    return names


def leaf_datasets(dataset_cfg) -> Iterator[dict]:
    """The dataset configs that read an annotation file, inside wrappers
    (``RepeatDataset``, ``ConcatDataset``...)."""
    if not isinstance(dataset_cfg, dict):
        return
    if 'ann_file' in dataset_cfg:
        yield dataset_cfg
        return
    for key in ('dataset', 'datasets'):
        inner = dataset_cfg.get(key)
        for item in (inner if isinstance(inner, (list, tuple)) else [inner]):
            yield from leaf_datasets(item)


def _ann_path(dataset_cfg: dict) -> str:
    ann = dataset_cfg['ann_file']
    root = dataset_cfg.get('data_root')
    if root and not osp.isabs(ann):
        ann = osp.join(root, ann)
    return ann


def config_subjects(cfg: Config) -> List[str]:
    """The subject keys of the annotation file of ``test_dataloader``.

    Args:
        cfg (Config): A LOSO config.

    Returns:
        list[str]: Sorted subject keys (one fold each).
    """
    loader = cfg.get('test_dataloader')
    leaves = list(leaf_datasets(loader.get('dataset'))) if loader else []
    if not leaves:
        raise ProtocolError('the config has no test_dataloader.dataset with '
                            'an ann_file; LOSO folds come from it')
    subjects = set()
    for leaf in leaves:
        subjects.update(read_subjects(_ann_path(leaf)))
    return sorted(subjects)


def choose_subjects(all_subjects: Sequence[str],
                    wanted: Optional[Sequence[str]]) -> List[str]:
    """The subjects to run: all, or the ``--subjects`` given (in the order
    of ``all_subjects``).

    A plain subject name matches a composite key ``<dataset>/<name>`` when
    only one dataset has that subject.
    """
    if not wanted:
        return list(all_subjects)
    chosen = set()
    for name in wanted:
        if name in all_subjects:
            chosen.add(name)
            continue
        matches = [s for s in all_subjects if s.split('/')[-1] == name]
        if len(matches) == 1:
            chosen.add(matches[0])
        elif matches:
            raise ProtocolError(f'--subjects: {name!r} is ambiguous; use one '
                                f'of {matches}')
        else:
            raise ProtocolError(f'--subjects: unknown subject {name!r}; '
                                f'known: {", ".join(all_subjects)}')
    return [s for s in all_subjects if s in chosen]


def selection_in_config(cfg: Config) -> List[str]:
    """Where a config selects a model on its evaluation split.

    Returns:
        list[str]: Descriptions, empty when nothing selects.
    """
    found = []
    hooks = dict(cfg.get('default_hooks') or {})
    for name, hook in hooks.items():
        if isinstance(hook, dict) and hook.get('save_best'):
            found.append(f"default_hooks.{name}.save_best="
                         f"{hook['save_best']!r}")
    for i, hook in enumerate(cfg.get('custom_hooks') or []):
        kind = hook.get('type') if isinstance(hook, dict) else None
        if kind in SELECTING_HOOKS:
            found.append(f'custom_hooks[{i}] {kind}')
        elif isinstance(hook, dict) and hook.get('save_best'):
            found.append(f"custom_hooks[{i}].save_best="
                         f"{hook['save_best']!r}")
    return found


def selection_metric(cfg: Config) -> str:
    """The metric ``--select-on-test`` picks epochs by: the config's
    ``save_best`` when it names ``uf1``, ``uar`` or ``acc``, else ``uf1``."""
    hook = (cfg.get('default_hooks') or {}).get('checkpoint') or {}
    best = hook.get('save_best') if isinstance(hook, dict) else None
    if isinstance(best, (list, tuple)):
        best = best[0] if best else None
    if isinstance(best, str) and best.split('/')[-1] in ('uf1', 'uar', 'acc'):
        return best.split('/')[-1]
    return 'uf1'


def check_protocol(cfg: Config, select_on_test: bool) -> List[str]:
    """Refuse a config that selects models on the test subject.

    Args:
        cfg (Config): The merged LOSO config.
        select_on_test (bool): Whether ``--select-on-test`` was given.

    Returns:
        list[str]: Notes about what the LOSO runner changes.

    Raises:
        ProtocolError: On selection without ``select_on_test``, or a
            training loop that is not epoch based.
    """
    train_cfg = cfg.get('train_cfg') or {}
    if train_cfg.get('type', 'EpochBasedTrainLoop') != 'EpochBasedTrainLoop' \
            and not train_cfg.get('by_epoch', False):
        raise ProtocolError(
            f"train_cfg.type={train_cfg.get('type')!r}: the LOSO runner "
            'needs an epoch-based training loop (it checkpoints and reports '
            'the last epoch)')
    if not train_cfg.get('max_epochs'):
        raise ProtocolError('train_cfg.max_epochs is not set')
    notes = []
    selecting = selection_in_config(cfg)
    if selecting and not select_on_test:
        raise ProtocolError(
            f"{', '.join(selecting)}: this picks a model by its score on the "
            'evaluation split, which in LOSO is the test subject. The LOSO '
            'runner reports the last epoch; remove it, or pass '
            '--select-on-test to report the selected numbers too (marked '
            'as optimistic)')
    if cfg.get('val_dataloader') is not None:
        notes.append('val_dataloader of the config is dropped: validation '
                     'during LOSO training would evaluate the test subject '
                     'or leak it into model selection')
    return notes


def _set_subjects(dataset_cfg, *, test, exclude) -> None:
    leaves = list(leaf_datasets(dataset_cfg))
    if not leaves:
        raise ProtocolError('a dataloader of the config has no dataset with '
                            'an ann_file')
    for leaf in leaves:
        leaf['test_subjects'] = test
        leaf['exclude_subjects'] = exclude


def _evaluators(evaluator) -> List:
    if evaluator is None:
        return []
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']
    return list(evaluator) if isinstance(evaluator,
                                         (list, tuple)) else [evaluator]


def _with_me_metric(evaluator, out_file: str) -> List[dict]:
    metrics = [copy.deepcopy(m) for m in _evaluators(evaluator)]
    me = [
        m for m in metrics
        if m.get('type') in ('MEMetric', 'mmaction.MEMetric')
    ]
    if not me:
        metrics.append(dict(type='MEMetric'))
        me = metrics[-1:]
    for m in me:
        m['out_file'] = out_file
    return metrics


def build_fold_config(cfg: Config,
                      subject: str,
                      fold_dir: str,
                      seed: int,
                      select_on_test: bool = False) -> Config:
    """The config of one fold.

    * trains on every subject but ``subject``
      (``exclude_subjects=[subject]``), tests on ``subject``
      (``test_subjects=[subject]``) with the last epoch's weights;
    * drops validation, or, with ``select_on_test``, validates on the test
      subject every epoch and keeps each epoch's predictions;
    * checkpoints every epoch (keeping two, so one complete checkpoint
      always exists) for resuming;
    * seeds the run with ``seed`` and reseeds every epoch
      (:class:`~mmaction_tsfmicro.engine.hooks.EpochSeedHook`); the
      training dataloader gets no persistent workers;
    * keeps :class:`SubjectSplitCheckHook`.

    Args:
        cfg (Config): The merged LOSO config.
        subject (str): The test subject's key.
        fold_dir (str): The fold's work dir.
        seed (int): The random seed.
        select_on_test (bool): Validate (and select) on the test subject.

    Returns:
        Config: A new config.
    """
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = fold_dir
    cfg.experiment_name = fold_name(subject)
    cfg.resume = False
    _set_subjects(cfg.train_dataloader.dataset, test=None, exclude=[subject])
    _set_subjects(cfg.test_dataloader.dataset, test=[subject], exclude=None)

    train_loader = cfg.train_dataloader
    train_loader.persistent_workers = False
    test_loader = cfg.test_dataloader
    if not test_loader.get('num_workers'):
        test_loader.persistent_workers = False
    cfg.test_cfg = cfg.get('test_cfg') or dict(type='TestLoop')
    cfg.test_evaluator = _with_me_metric(
        cfg.get('test_evaluator'), osp.join(fold_dir, FOLD_PREDICTIONS))

    hooks = dict(cfg.get('default_hooks') or {})
    ckpt = dict(hooks.get('checkpoint') or dict(type='CheckpointHook'))
    ckpt.update(
        interval=1,
        by_epoch=True,
        max_keep_ckpts=2,
        save_last=True,
        filename_tmpl='epoch_{}.pth')
    ckpt.pop('out_dir', None)  # checkpoints live in the fold folder
    if not select_on_test:
        ckpt.pop('save_best', None)
        ckpt.pop('rule', None)
    hooks['checkpoint'] = ckpt
    cfg.default_hooks = hooks

    custom = [
        h for h in (cfg.get('custom_hooks') or [])
        if not (isinstance(h, dict) and h.get('type') in
                ('EpochSeedHook', 'EpochPredictionsHook'))
    ]
    if not any(
            isinstance(h, dict) and h.get('type') == 'SubjectSplitCheckHook'
            for h in custom):
        custom.append(dict(type='SubjectSplitCheckHook'))
    custom.append(dict(type='EpochSeedHook'))

    train_cfg = cfg.train_cfg
    if select_on_test:
        from .selection import EPOCH_FILE
        cfg.val_dataloader = copy.deepcopy(cfg.test_dataloader)
        cfg.val_evaluator = _with_me_metric(cfg.test_evaluator, '')
        cfg.val_cfg = dict(type='ValLoop')
        train_cfg.val_interval = 1
        train_cfg.val_begin = 1
        custom.append(
            dict(
                type='EpochPredictionsHook',
                out_template=osp.join(fold_dir, EPOCH_FILE)))
    else:
        cfg.val_dataloader = None
        cfg.val_evaluator = None
        cfg.val_cfg = None
    cfg.custom_hooks = custom

    randomness = dict(cfg.get('randomness') or {})
    randomness['seed'] = seed
    cfg.randomness = randomness
    return cfg


@dataclass
class FoldTask:
    """One fold to run (``fold_task.json``).

    Args:
        subject (str): The test subject's key.
        fold_dir (str): The fold folder.
        select_on_test (bool): Whether epochs are evaluated (and
            selected) on the test subject.
        selection_metric (str, optional): The metric of that selection.
        max_epochs (int): Training epochs.
        launcher (str): The distributed launcher, or ``'none'``.
        threads (int, optional): Torch threads.
        keep_checkpoints (str): ``'last'`` or ``'none'``.
    """
    subject: str
    fold_dir: str
    select_on_test: bool
    selection_metric: Optional[str]
    max_epochs: int
    launcher: str = 'none'
    threads: Optional[int] = None
    keep_checkpoints: str = 'last'

    def to_dict(self) -> dict:
        """A JSON-able copy."""
        return dict(self.__dict__)


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


def _checkpoint_is_complete(path: str) -> bool:
    """Whether a checkpoint file is a complete torch zip archive."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError):
        return False


def _epoch_of(path: str) -> int:
    m = re.search(r'epoch_(\d+)\.pth$', path)
    return int(m.group(1)) if m else -1


def find_resume_checkpoint(fold_dir: str) -> Optional[str]:
    """The newest complete checkpoint of an unfinished fold.

    The ``epoch_<N>.pth`` files are tried from the newest. (MMEngine's
    ``last_checkpoint`` pointer is not trusted: the checkpoint hook deletes
    the oldest checkpoint before it writes the new one, and writes the
    pointer last.) A checkpoint cut short by a kill is not a complete zip
    archive; such files (newer than the one returned) are deleted, so that
    training writes them again.

    Args:
        fold_dir (str): The fold folder.

    Returns:
        str | None: The checkpoint path, or None to start afresh.
    """
    candidates = glob.glob(osp.join(fold_dir, 'epoch_*.pth'))
    broken = []
    for path in sorted(candidates, key=_epoch_of, reverse=True):
        if _epoch_of(path) < 0:
            continue
        if _checkpoint_is_complete(path):
            for bad in broken:
                os.remove(bad)
            return path
        broken.append(path)
    for bad in broken:
        os.remove(bad)
    return None


def prune_checkpoints(fold_dir: str, keep: Optional[str]) -> None:
    """Delete every ``epoch_<N>.pth`` of a finished fold but ``keep`` (all
    of them when ``keep`` is None)."""
    keep = osp.basename(keep) if keep else None
    for path in glob.glob(osp.join(fold_dir, 'epoch_*.pth')):
        if osp.basename(path) != keep:
            os.remove(path)
