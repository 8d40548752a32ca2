"""Reading checkpoints, the same way in every tool.

:func:`read_checkpoint` opens a file (a Runner checkpoint, a release file
checked against the hash in its name, or a plain state dict) and
:func:`load_weights` puts its weights into a model after comparing them key
by key. Each problem is a :class:`CheckpointError` whose one line names the
file and, for the weights of another model, the config and the first key
that differs with both shapes, rather than torch's pickle errors or its
list of every mismatching tensor.
"""
import copy
import os.path as osp
import pickle
import re
import zipfile
from typing import Any, Dict, Mapping, Optional

import torch
from torch import nn

from ..utils.fileio import file_sha256

#: ``<name>-<8 hex digits>.pth``, the name of a release file.
RELEASE_NAME = re.compile(r'^(?P<name>.+)-(?P<sha>[0-9a-f]{8})\.pth$')


class CheckpointError(ValueError):
    """A checkpoint cannot be read or used; the message names it."""


def read_checkpoint(path: str) -> Dict[str, Any]:
    """Load a checkpoint file onto the CPU.

    Args:
        path (str): A checkpoint. A release file
            (``<name>-<sha256[:8]>.pth``) is first checked against the hash
            in its name.

    Returns:
        dict: The checkpoint; a plain state dict comes back as
        ``dict(state_dict=...)``.

    Raises:
        CheckpointError: If the file is missing, damaged, cut short, not a
            PyTorch file or holds no weights.
    """
    if not osp.isfile(path):
        raise CheckpointError(f'{path}: checkpoint not found')
    match = RELEASE_NAME.match(osp.basename(path))
    if match:
        sha = file_sha256(path)
        if not sha.startswith(match.group('sha')):
            raise CheckpointError(
                f'{path}: the file\'s SHA-256 begins {sha[:8]}, not '
                f"{match.group('sha')} as its name says: the file is "
                'damaged or was changed; download or copy it again')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError,
            zipfile.BadZipFile, ValueError, AttributeError) as e:
        reason = ' '.join(str(e).split()) or type(e).__name__
        if len(reason) > 120:
            reason = reason[:117] + '...'
        raise CheckpointError(
            f'{path}: not a readable PyTorch checkpoint (cut short, damaged '
            f'or another kind of file: {reason})') from None
    if isinstance(ckpt, Mapping) and 'state_dict' in ckpt:
        if not isinstance(ckpt['state_dict'], Mapping):
            raise CheckpointError(f'{path}: its state_dict is not a '
                                  'mapping of tensors')
        return dict(ckpt)
    if isinstance(ckpt, Mapping) and ckpt and all(
            isinstance(v, torch.Tensor) for v in ckpt.values()):
        return dict(state_dict=dict(ckpt))
    raise CheckpointError(f'{path}: holds no weights (no state_dict; a '
                          f'{type(ckpt).__name__})')


def _strip_prefix(state: Mapping[str, Any],
                  model_keys: Mapping[str, Any]) -> Dict[str, Any]:
    """Drop the ``module.`` of a model saved inside a DDP wrapper."""
    if state and all(k.startswith('module.') for k in state) and not any(
            k.startswith('module.') for k in model_keys):
        return {k[len('module.'):]: v for k, v in state.items()}
    return dict(state)


def first_difference(model: nn.Module,
                     state: Mapping[str, Any]) -> Optional[str]:
    """The first way ``state`` differs from the weights of ``model``.

    Args:
        model (nn.Module): The model.
        state (Mapping): A state dict.

    Returns:
        str, optional: None when every key and shape matches, else e.g.
        ``cls_head.fc.weight: (5, 96) in the checkpoint, (3, 96) in the
        model (2 keys differ)``.
    """
    own = model.state_dict()
    state = _strip_prefix(state, own)
    problems = []
    for key, value in own.items():
        if key not in state:
            problems.append(f'{key}: {tuple(value.shape)} in the model, '
                            'not in the checkpoint')
        elif tuple(getattr(state[key], 'shape', ())) != tuple(value.shape):
            problems.append(
                f'{key}: {tuple(state[key].shape)} in the checkpoint, '
                f'{tuple(value.shape)} in the model')
    for key in state:
        if key not in own:
            problems.append(f'{key}: {tuple(state[key].shape)} in the '
                            'checkpoint, not in the model')
    if not problems:
        return None
    more = f' ({len(problems)} keys differ)' if len(problems) > 1 else ''
    return problems[0] + more


def _check_same_model(model: nn.Module, ckpt: Dict[str, Any], path: str,
                      config: Optional[str]) -> None:
    difference = first_difference(model, ckpt['state_dict'])
    if difference:
        of = f'the config {config}' if config else 'the config'
        raise CheckpointError(
            f'{path}: its weights are not those of the model of {of}; the '
            f'checkpoint comes from another config ({difference})')


def load_weights(model: nn.Module, path: str,
                 config: Optional[str] = None,
                 ckpt: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Put the weights of a checkpoint into ``model`` (every key, every
    shape).

    Args:
        model (nn.Module): The model built from ``config``.
        path (str): The checkpoint (see :func:`read_checkpoint`).
        config (str, optional): The config's name, for the message.
        ckpt (dict, optional): The checkpoint, when it was read already.

    Returns:
        dict: The checkpoint (its ``meta`` and ``state_dict``).

    Raises:
        CheckpointError: If the file cannot be read or its weights are not
            those of the model.
    """
    ckpt = ckpt if ckpt is not None else read_checkpoint(path)
    _check_same_model(model, ckpt, path, config)
    model.load_state_dict(_strip_prefix(ckpt['state_dict'],
                                        model.state_dict()))
    return ckpt


def check_fits(cfg, path: str, config: Optional[str] = None) -> None:
    """Check, before a Runner loads it, that a checkpoint holds the weights
    of the model of ``cfg`` (testing loads it without comparing shapes).

    Args:
        cfg (Config): The config (its ``model``).
        path (str): The checkpoint.
        config (str, optional): The config's name, for the message.

    Raises:
        CheckpointError: As :func:`load_weights`.
    """
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(copy.deepcopy(cfg.model))
    _check_same_model(model, read_checkpoint(path), path, config)


def check_load_from(path: str) -> None:
    """Check that a ``load_from`` checkpoint can be read before training.

    Its shapes are not compared: fine-tuning from another data set's
    checkpoint (another head) is what ``load_from`` is for, and MMEngine
    skips the tensors that do not fit with a warning.

    Raises:
        CheckpointError: As :func:`read_checkpoint`, with ``load_from=``.
    """
    try:
        read_checkpoint(path)
    except CheckpointError as e:
        raise CheckpointError(f'load_from={e}') from None
