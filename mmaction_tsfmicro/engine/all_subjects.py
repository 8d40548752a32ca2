"""A LOSO config turned into the config of a release: every subject trains.

A model-zoo checkpoint is trained on all subjects of a data set with the
recipe whose LOSO gave the published numbers (the same config, nothing held
out). :func:`all_subjects_config` makes that config from the LOSO one;
``tools/deployment/train_release.py`` trains it and publishes the result.
"""
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

#: The file ``tools/data/preprocess_faces.py`` writes in its output folder.
PREPROCESS_REPORT = 'preprocess_report.json'


def all_subjects_config(cfg: Config) -> Config:
    """Train on every subject; no validation or test loop.

    Args:
        cfg (Config): A config whose ``train_dataloader.dataset`` leaves
            out the test subject (``exclude_subjects``) or names its
            subjects (``test_subjects``).

    Returns:
        Config: ``cfg``, changed in place.

    Raises:
        ValueError: If the config has no training dataset.
    """
    dataset = (cfg.get('train_dataloader') or {}).get('dataset')
    if not dataset:
        raise ValueError('the config has no train_dataloader.dataset to '
                         'train on every subject')
    for key in ('exclude_subjects', 'test_subjects'):
        if key in dataset:
            dataset[key] = None
    for part in ('val', 'test'):
        cfg[f'{part}_dataloader'] = None
        cfg[f'{part}_evaluator'] = None
        cfg[f'{part}_cfg'] = None
    cfg.train_cfg.pop('val_interval', None)
    cfg.train_cfg.pop('val_begin', None)
    return cfg


def frame_folders(cfg: Config) -> List[str]:
    """The frame folders the training set reads (one per source data set
    for a composite annotation file)."""
    dataset = cfg.train_dataloader.dataset
    roots = dict(dataset.get('frame_roots') or {})
    if roots:
        return list(roots.values())
    prefix = (dataset.get('data_prefix') or {}).get('img')
    return [prefix] if prefix else []


def find_preprocess_report(cfg: Config) -> Optional[str]:
    """The ``preprocess_report.json`` of the training frames, if they were
    aligned by ``tools/data/preprocess_faces.py`` (one folder only: the
    sources of a composite set may be prepared differently)."""
    folders = frame_folders(cfg)
    if len(folders) != 1:
        return None
    path = osp.join(folders[0], PREPROCESS_REPORT)
    return path if osp.isfile(path) else None
