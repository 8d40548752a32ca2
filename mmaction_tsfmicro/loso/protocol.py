"""The LOSO protocol as code: no model is selected on the test subject.

A fold's model is the last epoch's. A config that picks a model by its
score on the evaluation split (which in LOSO is the test subject) is
refused, unless ``--select-on-test`` asks for it, and then its numbers are
reported as optimistic beside the last-epoch ones (:mod:`.selection`).
"""
from typing import List

from mmengine.config import Config

#: Hooks that pick a model by its score on the evaluation split.
SELECTING_HOOKS = ('EarlyStoppingHook', )


class ProtocolError(ValueError):
    """A config or option that would break the LOSO protocol."""


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
