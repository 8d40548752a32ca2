"""The config of one LOSO fold, derived from the run's merged config."""
import copy
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

from .frames import use_frame_cache
from .selection import EPOCH_FILE
from .subjects import fold_name, set_subjects
from .work_dir import FOLD_PREDICTIONS


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
                      select_on_test: bool = False,
                      frame_cache: Optional[str] = None) -> Config:
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
    * keeps :class:`SubjectSplitCheckHook`;
    * reads the frames through the run's frame cache, if it has one.

    Args:
        cfg (Config): The merged LOSO config.
        subject (str): The test subject's key.
        fold_dir (str): The fold's work dir.
        seed (int): The random seed.
        select_on_test (bool): Validate (and select) on the test subject.
        frame_cache (str, optional): The run's frame cache folder.

    Returns:
        Config: A new config.
    """
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = fold_dir
    cfg.experiment_name = fold_name(subject)
    cfg.resume = False
    set_subjects(cfg.train_dataloader.dataset, test=None, exclude=[subject])
    set_subjects(cfg.test_dataloader.dataset, test=[subject], exclude=None)

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
    # no "best" checkpoint: --select-on-test picks its epoch from the
    # per-epoch predictions (loso/selection.py), the report the last one
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
    use_frame_cache(cfg, frame_cache)
    return cfg
