"""``--cfg-options``: parsed with errors that name the option, and checked
against the config before they are merged.

Two mistakes pass MMEngine silently or crash inside it naming nothing:

* a key under a value that is not a dict (``model.backbone.arch.x=1`` when
  ``arch`` is ``'tiny'``);
* a top-level *variable* of a config file (``data_root``, ``test_subject``,
  ``input_size``): it was used when the file was read, so changing it
  afterwards changes nothing the run reads;
* text where the config holds a number (``train_cfg.max_epochs=abc``),
  which fails deep inside the Runner, after the work dir was made, with
  ``invalid literal for int()``.

:func:`check_cfg_options` refuses them, naming the option and the keys to
set instead.
"""
import argparse
from typing import Any, Dict, Iterator, List, Tuple

from mmengine.config import Config, DictAction

#: Top-level keys that MMEngine's Runner, MMAction2's tools or the plugin
#: read; every other top-level key of a config is a variable of its file.
RUNTIME_KEYS = frozenset({
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'model_wrapper_cfg', 'compile', 'activation_checkpointing',
    'efficient_conv_bn_eval', 'find_unused_parameters', 'resource_limit',
    'custom_imports', 'runner_type', 'strategy', 'cfg'
})


class CfgOptionsAction(DictAction):
    """MMEngine's ``DictAction`` whose errors name the malformed pair."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values:
            if '=' not in item or item.startswith('='):
                raise argparse.ArgumentError(
                    self, f'{item!r} is not KEY=VALUE (e.g. '
                    'train_cfg.max_epochs=2)')
        super().__call__(parser, namespace, values, option_string)


def _walk(value: Any, path: str) -> Iterator[Tuple[str, Any]]:
    """Every (dotted key, value) below ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f'{path}.{key}' if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(item, f'{path}.{i}')
    else:
        yield path, value


def holders(cfg: Config, value: Any, skip: str) -> List[str]:
    """The runtime keys whose value is, or (for strings) contains,
    ``value``; list items are named by their list."""
    found: List[str] = []
    for key, item in _walk(cfg.to_dict(), ''):
        top = key.split('.')[0]
        if top == skip or top not in RUNTIME_KEYS:
            continue
        hit = item == value if not isinstance(value, str) else (
            isinstance(item, str) and value and value in item)
        if hit:
            parts = key.split('.')
            while parts and parts[-1].isdigit():
                parts.pop()
            name = '.'.join(parts)
            if name not in found:
                found.append(name)
    return found


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + '...'


def check_cfg_options(cfg: Config, options: Dict[str, Any],
                      source: str) -> None:
    """Refuse ``--cfg-options`` that would change nothing or cannot merge.

    Args:
        cfg (Config): The config as read from its file.
        options (dict): The parsed ``--cfg-options``.
        source (str): The config file, for messages.

    Raises:
        ValueError: One line naming the option and what to set instead.
    """
    for key, new in options.items():
        parts = key.split('.')
        top = parts[0]
        if top not in cfg and top not in RUNTIME_KEYS:
            raise ValueError(
                f'--cfg-options {key}={_describe(new)}: {source} has no key '
                f'{top!r}, and the run reads no top-level {top!r}, so it '
                'would change nothing (is it a typo? top-level keys the run '
                'reads include model, train_dataloader, test_dataloader, '
                'train_cfg, optim_wrapper, param_scheduler, default_hooks, '
                'randomness)')
        if top in cfg and top not in RUNTIME_KEYS:
            keys = holders(cfg, cfg[top], top)
            where = ('set the keys that hold its value instead: ' +
                     ', '.join(keys)) if keys else (
                         'nothing the run reads holds its value')
            raise ValueError(
                f'--cfg-options {key}={_describe(new)}: {top!r} is a variable '
                f'of {source}, used when the file was read, so changing it '
                f'now changes nothing; {where}')
        node: Any = cfg.to_dict()
        reached = True
        for depth, part in enumerate(parts):
            parent = '.'.join(parts[:depth])
            if isinstance(node, (list, tuple)):
                if not part.isdigit():
                    raise ValueError(
                        f'--cfg-options {key}: {parent} is a list, so its '
                        f'items are numbered, not named {part!r}')
                if int(part) >= len(node):
                    raise ValueError(
                        f'--cfg-options {key}: {parent} has {len(node)} '
                        f'items, no item {part}')
                node = node[int(part)]
            elif isinstance(node, dict):
                if part not in node:
                    reached = False
                    break  # a new key: MMEngine adds it
                node = node[part]
            else:
                raise ValueError(
                    f'--cfg-options {key}: {parent} is {_describe(node)}, '
                    f'not a dict, so it has no key {part!r}')
        if reached and isinstance(new, str) and isinstance(
                node, (int, float)) and not isinstance(node, bool):
            raise ValueError(
                f'--cfg-options {key}={new}: {key} takes a number '
                f'({source} sets it to {node!r}), not the text {new!r}')


def merge_cfg_options(cfg: Config, options: Dict[str, Any],
                      source: str) -> Config:
    """Check ``options`` (:func:`check_cfg_options`) and merge them."""
    check_cfg_options(cfg, dict(options), source)
    cfg.merge_from_dict(dict(options))
    return cfg
