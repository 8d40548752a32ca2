"""The model and its inputs, exactly as testing sees them.

A recognizer built from a config and a checkpoint, in eval mode and float32
on a chosen device, and the samples of the config's test pipeline (its
``test_dataloader.dataset``) with the subjects chosen here: an explanation
reads the very tensors ``tools/test.py`` would classify.
"""
import copy
import logging
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from torch import nn

from ..engine.checkpoint import load_weights
from ..loso.subjects import set_subjects


def default_device() -> str:
    """``'cuda'`` when PyTorch sees a GPU, else ``'cpu'``."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def load_model(cfg: Config,
               checkpoint: Optional[str] = None,
               device: Optional[str] = None) -> nn.Module:
    """Build the recognizer of ``cfg`` and load its weights.

    Args:
        cfg (Config): A config with ``model``.
        checkpoint (str, optional): An MMEngine checkpoint (or a plain
            state_dict); every tensor must match the model. None keeps the
            initial (random) weights.
        device (str, optional): Where the model runs. Defaults to
            :func:`default_device`.

    Returns:
        nn.Module: The recognizer, float32, in eval mode, with ``cfg`` as
        its ``cfg`` attribute.

    Raises:
        CheckpointError: If ``checkpoint`` cannot be read or holds the
            weights of another model (the message names the file, the
            config and the first key that differs).
    """
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(copy.deepcopy(cfg.model))
    if checkpoint is None:
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # not a line per parameter
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    else:
        load_weights(model, checkpoint, cfg.filename or None)
    model.cfg = cfg
    return model.float().to(device or default_device()).eval()


def build_test_dataset(cfg: Config,
                       subjects: Optional[Sequence[str]] = None):
    """The dataset of ``cfg.test_dataloader`` with other subjects.

    The dataset config (its pipeline, frame root, layout) is the test
    split's; only ``test_subjects`` becomes ``subjects`` and
    ``exclude_subjects`` is cleared.

    Args:
        cfg (Config): A config with ``test_dataloader.dataset``.
        subjects (Sequence[str], optional): The subjects to keep; None
            keeps every sample of the annotation file.

    Returns:
        BaseDataset: The built dataset.
    """
    loader = cfg.get('test_dataloader')
    if not loader or not loader.get('dataset'):
        raise ValueError('the config has no test_dataloader.dataset')
    dataset_cfg = copy.deepcopy(loader['dataset'])
    set_subjects(
        dataset_cfg,
        test=list(subjects) if subjects is not None else None,
        exclude=None)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    return DATASETS.build(dataset_cfg)


def class_names(dataset) -> List[str]:
    """The class names of a dataset's metainfo (``classes``)."""
    classes = dataset.metainfo.get('classes')
    if not classes:
        raise ValueError('the dataset has no class names (metainfo.classes)')
    return [str(c) for c in classes]


def sample_name(info: dict) -> str:
    """A sample's name, ``<subject key>/<clip>``."""
    return f"{info.get('subject_key', info['subject'])}/{info['clip']}"


def split_sample_name(name: str) -> Tuple[str, str]:
    """``'SUBJECT/CLIP'`` as ``(subject, clip)`` (the subject may hold a
    ``/`` itself, e.g. ``casme2/sub01/EP02_01f``)."""
    subject, _, clip = str(name).rpartition('/')
    if not subject or not clip:
        raise ValueError(f'a sample is SUBJECT/CLIP (e.g. sub01/EP02_01), '
                         f'got {name!r}')
    return subject, clip


def find_sample(dataset, name: str) -> int:
    """The index of the sample ``SUBJECT/CLIP`` in ``dataset``.

    ``SUBJECT`` is a subject key or a subject name.

    Args:
        dataset (BaseDataset): The dataset.
        name (str): ``SUBJECT/CLIP``.

    Returns:
        int: The sample's index.

    Raises:
        ValueError: For an unknown sample, naming the known clips of the
            subject (or the known subjects).
    """
    subject, clip = split_sample_name(name)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    of_subject = [(i, info) for i, info in enumerate(infos)
                  if subject in (info.get('subject_key'), info['subject'])]
    for i, info in of_subject:
        if info['clip'] == clip:
            return i
    if of_subject:
        clips = sorted(str(info['clip']) for _, info in of_subject)
        raise ValueError(f'unknown sample {name!r}: subject {subject} has '
                         f'the clips {", ".join(clips)}')
    known = sorted({str(info.get('subject_key', info['subject']))
                    for info in infos})
    raise ValueError(f'unknown sample {name!r}: no subject {subject!r}; '
                     f'known subjects: {", ".join(known)}')


def preprocess(model: nn.Module, items: Sequence[dict]) -> dict:
    """Collate pipeline outputs and run the model's data preprocessor.

    Args:
        model (nn.Module): The recognizer.
        items (Sequence[dict]): ``dataset[i]`` outputs (``inputs``,
            ``data_samples``).

    Returns:
        dict: ``inputs`` (normalized, on the model's device, e.g.
        ``(N, 1, 3, 2, H, W)``) and ``data_samples``.
    """
    return model.data_preprocessor(pseudo_collate(list(items)), False)


def frame_pair(item: dict) -> Tuple[np.ndarray, np.ndarray]:
    """The onset and apex frames of a pipeline output, as the model sees
    them before normalization.

    Args:
        item (dict): A ``dataset[i]`` output whose ``inputs`` is
            ``(1, C, 2, H, W)`` (``FormatShape('NCTHW')``).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(onset, apex)``, each ``H x W x C``
        in the pipeline's channel order (RGB).
    """
    inputs = item['inputs']
    if inputs.dim() != 5 or inputs.shape[2] != 2:
        raise ValueError('expected an (1, C, T=2, H, W) frame pair, got '
                         f'shape {tuple(inputs.shape)}')
    pair = inputs[0].permute(1, 2, 3, 0).cpu().numpy()  # (2, H, W, C)
    return pair[0], pair[1]
