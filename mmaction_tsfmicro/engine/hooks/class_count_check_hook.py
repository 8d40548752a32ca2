"""Refuse a run whose classifier has another number of classes than its
annotation file."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS


def head_num_classes(model) -> Optional[int]:
    """``num_classes`` of the model's classification head, or None for a
    model without one."""
    if is_model_wrapper(model):
        model = model.module
    head = getattr(model, 'cls_head', None)
    num = getattr(head, 'num_classes', None)
    return int(num) if num is not None else None


def dataset_classes(dataset) -> Optional[list]:
    """The class names of a (possibly wrapped) dataset's metainfo."""
    meta = getattr(dataset, 'metainfo', None) or {}
    classes = meta.get('classes')
    return list(classes) if classes else None


@HOOKS.register_module()
class ClassCountCheckHook(Hook):
    """Check, before a fold trains or tests, that the head's
    ``num_classes`` equals the number of classes of the annotation file.

    A 4-class annotation file given to a 7-class config would otherwise
    train a whole fold before the metric refuses the labels (or, the other
    way round, train a classifier with classes that never occur).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        """Compare the head with the training set."""
        self._check(runner, runner.train_dataloader.dataset)

    def before_test(self, runner) -> None:
        """Compare the head with the test set."""
        self._check(runner, runner.test_dataloader.dataset)

    @staticmethod
    def _check(runner, dataset) -> None:
        num = head_num_classes(runner.model)
        classes = dataset_classes(dataset)
        if num is None or classes is None or num == len(classes):
            return
        source = getattr(dataset, 'ann_file', None) or 'the dataset'
        raise ValueError(
            f'{source} has {len(classes)} classes ({", ".join(classes)}) '
            f"but the model's cls_head.num_classes is {num}: use the config "
            f'of the {len(classes)}-class set, or set '
            f'model.cls_head.num_classes={len(classes)}')
