import pytest
from mmaction.registry import DATASETS, HOOKS
from mmengine.config import ConfigDict
from mmengine.dataset import ConcatDataset

from mmaction_tsfmicro.engine.hooks import dataset_subjects


class FakeRunner:

    def __init__(self, train_dataset, cfg):
        self.train_dataloader = ConfigDict(dataset=train_dataset)
        self.cfg = ConfigDict(cfg)


def me_dataset(data, **kwargs):
    return dict(type='MicroExpressionDataset', ann_file=data['ann_file'],
                data_prefix=dict(img=data['root']), pipeline=[], **kwargs)


def test_subjects_of_wrapped_datasets(synthetic_data):
    a = DATASETS.build(me_dataset(synthetic_data, test_subjects=['sub01']))
    b = DATASETS.build(me_dataset(synthetic_data, test_subjects=['sub03']))
    assert dataset_subjects(a) == {'sub01'}
    assert dataset_subjects(ConcatDataset([a, b])) == {'sub01', 'sub03'}
    assert dataset_subjects(object()) is None


def test_a_proper_fold_passes(synthetic_data):
    train = DATASETS.build(
        me_dataset(synthetic_data, exclude_subjects=['sub02']))
    runner = FakeRunner(train, dict(test_dataloader=dict(
        dataset=me_dataset(synthetic_data, test_subjects=['sub02']))))
    HOOKS.build(dict(type='SubjectSplitCheckHook')).before_train(runner)


def test_a_shared_test_subject_stops_the_run(synthetic_data):
    train = DATASETS.build(
        me_dataset(synthetic_data, exclude_subjects=['sub02']))
    cfg = dict(test_dataloader=dict(dataset=me_dataset(
        synthetic_data, test_subjects=['sub01'])))
    hook = HOOKS.build(dict(type='SubjectSplitCheckHook'))
    with pytest.raises(RuntimeError, match=r"subject\(s\) \['sub01'\] are in "
                       'both the training and the test split'):
        hook.before_train(FakeRunner(train, cfg))


def test_validation_overlap_only_when_allowed(synthetic_data):
    train = DATASETS.build(
        me_dataset(synthetic_data, exclude_subjects=['sub02']))
    cfg = dict(
        val_dataloader=dict(dataset=me_dataset(synthetic_data)),
        test_dataloader=dict(dataset=me_dataset(
            synthetic_data, test_subjects=['sub02'])))
    with pytest.raises(RuntimeError, match='training and the val split'):
        HOOKS.build(dict(type='SubjectSplitCheckHook')).before_train(
            FakeRunner(train, cfg))
    HOOKS.build(dict(type='SubjectSplitCheckHook',
                     allow_val_overlap=True)).before_train(
                         FakeRunner(train, cfg))
