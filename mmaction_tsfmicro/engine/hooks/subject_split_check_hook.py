"""Refuse a run whose training split shares a subject with its test split."""
import copy
from typing import List, Optional, Set

from mmengine.hooks import Hook

from mmaction.registry import DATASETS, HOOKS


def dataset_subjects(dataset) -> Optional[Set[str]]:
    """The subject keys a (possibly wrapped) dataset actually loaded.

    Args:
        dataset: A dataset object, or a wrapper (``ConcatDataset``,
            ``RepeatDataset``, ``ClassBalancedDataset``) around datasets.

    Returns:
        set[str] | None: The subject keys, or None for a dataset that does
        not know its subjects.
    """
    if hasattr(dataset, 'subjects'):
        return set(dataset.subjects)
    inner = getattr(dataset, 'datasets', None)
    if inner is None and hasattr(dataset, 'dataset'):
        inner = [dataset.dataset]
    if inner is None:
        return None
    found = [dataset_subjects(d) for d in inner]
    known = [s for s in found if s is not None]
    return set().union(*known) if known else None


def _build(dataloader_cfg) -> Optional[object]:
    """The dataset of a dataloader (built object or config), or None."""
    if dataloader_cfg is None:
        return None
    if hasattr(dataloader_cfg, 'dataset') and not isinstance(
            dataloader_cfg, dict):
        return dataloader_cfg.dataset
    cfg = dataloader_cfg.get('dataset')
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        return cfg
    cfg = copy.deepcopy(cfg)
    cfg['pipeline'] = []  # the subjects do not depend on the transforms
    return DATASETS.build(cfg)


@HOOKS.register_module()
class SubjectSplitCheckHook(Hook):
    """Check before training that no subject is in training and evaluation.

    Leave-one-subject-out results are only valid when the model never sees
    the test subject. This hook compares the subjects the training dataset
    actually loaded with those of the validation and test datasets and
    stops the run when they share one.

    Args:
        allow_val_overlap (bool): Allow the validation split to share
            subjects with the training split (e.g. a random hold-out of
            training clips). The test split may never share one.
            Defaults to False.
    """

    priority = 'VERY_HIGH'

    def __init__(self, allow_val_overlap: bool = False) -> None:
        self.allow_val_overlap = allow_val_overlap

    def before_train(self, runner) -> None:
        """Compare the training subjects with the evaluation subjects."""
        train = dataset_subjects(runner.train_dataloader.dataset)
        if not train:
            return
        splits: List = [('test', runner.cfg.get('test_dataloader'))]
        if not self.allow_val_overlap:
            splits.append(('val', runner.cfg.get('val_dataloader')))
        for name, loader_cfg in splits:
            dataset = _build(loader_cfg)
            subjects = dataset_subjects(dataset) if dataset else None
            shared = sorted(train & subjects) if subjects else []
            if shared:
                raise RuntimeError(
                    f'subject(s) {shared} are in both the training and the '
                    f'{name} split; leave-one-subject-out needs them apart '
                    '(check exclude_subjects / test_subjects)')
