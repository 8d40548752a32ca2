"""The record type and the rules of the normalized annotation."""
import pytest

from mmaction_tsfmicro.annotations import AnnotationError
from mmaction_tsfmicro.annotations.schema import (Sample, check_classes,
                                                  check_record,
                                                  check_records,
                                                  subject_keys)


def rec(**kw):
    out = dict(dataset='casme2', subject='sub01', clip='EP01', onset=2,
               apex=4, offset=6, emotion='happiness', label=0)
    out.update(kw)
    return out


def test_subject_keys_of_single_and_composite_files():
    recs = [rec(), rec(dataset='samm', subject='006'),
            rec(dataset='samm', subject='sub01', clip='x')]
    assert subject_keys(recs) == ['casme2/sub01', 'samm/006', 'samm/sub01']
    assert subject_keys(recs[:1]) == ['sub01']


def test_sample_writes_its_keys_in_order():
    s = Sample('casme3', 'spNO.1', 'a_5', 'a', 5, 7, 9, 'happy', 0)
    assert list(s.to_dict()) == ['dataset', 'subject', 'clip', 'clip_dir',
                                 'onset', 'apex', 'offset', 'emotion',
                                 'label']
    assert Sample('casme2', 's', 'c', 'c', 1, 1, 1, 'x', 0,
                  '12').to_dict()['action_units'] == '12'


@pytest.mark.parametrize('record,message', [
    ([1], 'F: data_list[0] is not an object'),
    (rec(label=True), 'F: data_list[0]: "label" must be int, got True'),
    (rec(onset=0, apex=0, offset=0), 'got 0, 0, 0'),
    (rec(offset=3), 'F: data_list[0] (casme2/sub01/EP01): frames must '
     'satisfy 0 < onset <= apex <= offset, got 2, 4, 3'),
    (rec(label=2), 'label 2 outside 0..1'),
    (rec(clip_dir=3), '"clip_dir" must be str, got 3'),
])
def test_a_bad_record_is_named(record, message):
    with pytest.raises(AnnotationError) as err:
        check_record(record, 'F: data_list[0]', 2)
    assert message in str(err.value)


def test_apex_at_onset_and_at_offset_are_valid():
    check_record(rec(onset=4, apex=4, offset=4), 'F', 1)
    check_records([rec(), rec(clip='EP02')], 'F', 1)
    with pytest.raises(AnnotationError, match=r'data_list\[1\] \(casme2/'
                       r'sub01/EP01\): same dataset, subject and clip as '
                       r'data_list\[0\]'):
        check_records([rec(), rec()], 'F', 1)


def test_classes_must_be_distinct_names():
    assert check_classes(dict(classes=['a', 'b']), 'F') == ['a', 'b']
    for bad in ([], ['a', 'a'], 'ab', [1]):
        with pytest.raises(AnnotationError, match='^F: metainfo.classes'):
            check_classes(dict(classes=bad), 'F')
    with pytest.raises(AnnotationError, match='lacks "classes"'):
        check_classes({}, 'F')
