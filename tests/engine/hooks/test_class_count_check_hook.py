"""ClassCountCheckHook: the head's classes against the annotation file's."""
from types import SimpleNamespace

import pytest
import torch

from mmaction_tsfmicro.engine.hooks import ClassCountCheckHook
from mmaction_tsfmicro.engine.hooks.class_count_check_hook import \
    head_num_classes


def runner(num_classes, classes, ann_file='ann.json'):
    model = torch.nn.Module()
    if num_classes is not None:
        model.cls_head = SimpleNamespace(num_classes=num_classes)
    dataset = SimpleNamespace(metainfo=dict(classes=classes),
                              ann_file=ann_file)
    loader = SimpleNamespace(dataset=dataset)
    return SimpleNamespace(model=model, train_dataloader=loader,
                           test_dataloader=loader)


def test_equal_counts_pass():
    hook = ClassCountCheckHook()
    hook.before_train(runner(3, ['a', 'b', 'c']))
    hook.before_test(runner(3, ['a', 'b', 'c']))


@pytest.mark.parametrize('stage', ['before_train', 'before_test'])
def test_a_mismatch_is_refused_before_the_fold_runs(stage):
    with pytest.raises(ValueError) as info:
        getattr(ClassCountCheckHook(), stage)(
            runner(7, ['positive', 'negative', 'surprise', 'others'],
                   'casme3_4cls.json'))
    assert str(info.value) == (
        'casme3_4cls.json has 4 classes (positive, negative, surprise, '
        "others) but the model's cls_head.num_classes is 7: use the config "
        'of the 4-class set, or set model.cls_head.num_classes=4')


def test_models_without_a_head_or_data_without_classes_pass():
    hook = ClassCountCheckHook()
    hook.before_train(runner(None, ['a', 'b']))
    hook.before_train(runner(2, None))


def test_wrapped_models_are_unwrapped():
    from mmengine.model import MMDistributedDataParallel
    model = torch.nn.Module()
    model.cls_head = SimpleNamespace(num_classes=5)
    wrapped = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    torch.nn.Module.__init__(wrapped)
    wrapped.module = model
    assert head_num_classes(wrapped) == 5
