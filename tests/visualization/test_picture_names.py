"""A picture is named after its sample and never takes another sample's
name."""
from mmaction_tsfmicro.visualization.picture_names import (PictureNames,
                                                           safe_component,
                                                           sample_parts)


def meta(clip='EP02_01f', subject='sub01', idx=0, dataset='casme2'):
    return dict(dataset=dataset, subject=subject, clip=clip, sample_idx=idx)


def test_named_dataset_subject_clip():
    assert sample_parts(meta(), 7) == ('casme2', 'sub01', 'EP02_01f')
    assert sample_parts({'sample_idx': 3}, 7) == ('sample_3', )
    assert sample_parts({}, 7) == ('sample_7', )


def test_unsafe_characters_become_underscores():
    assert safe_component('a/b c') == 'a_b_c'
    assert safe_component('..') == '_'
    assert sample_parts(meta(subject='spNO.1', clip='e_62'), 0) == (
        'casme2', 'spNO.1', 'e_62')


def test_one_name_per_sample_and_no_sample_on_another_ones_name():
    names = PictureNames()
    first = names.name(meta('a/b', idx=0), 0)
    assert first == ('casme2', 'sub01', 'a_b')
    assert names.name(meta('a/b', idx=0), 0) == first  # the same sample
    # another sample whose clip becomes the same safe name
    assert names.name(meta('a b', idx=1), 1) == ('casme2', 'sub01', 'a_b_1')
    # the same clip name in another subject or data set is another folder
    assert names.name(meta('a/b', subject='sub02', idx=2), 2) == (
        'casme2', 'sub02', 'a_b')
    assert names.name(meta(idx=3), 3, suffix='_epoch2') == (
        'casme2', 'sub01', 'EP02_01f_epoch2')
