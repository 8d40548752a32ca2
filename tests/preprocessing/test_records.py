"""The annotation records the preprocessing jobs read: through the one
loader, with its rules."""
import json

import pytest

from mmaction_tsfmicro.annotations import AnnotationError
from mmaction_tsfmicro.preprocessing.records import (records_of,
                                                     select_records)


def rec(dataset, subject, clip, onset, apex, offset):
    return dict(dataset=dataset, subject=subject, clip=clip, onset=onset,
                apex=apex, offset=offset, emotion='a', label=0)


RECORDS = [
    rec('casme2', 'sub01', 'EP01', 1, 3, 4),
    rec('samm', '006', '006_1_2', 5, 9, 12),
    rec('casme2', 'sub02', 'EP02', 2, 4, 6),
]


def write(path, records):
    path.write_text(json.dumps(dict(metainfo=dict(classes=['a']),
                                    data_list=records)))
    return str(path)


def test_select_records():
    kept = list(select_records(RECORDS, 'casme2'))
    assert kept == [(0, RECORDS[0]), (2, RECORDS[2])]
    assert [i for i, _ in select_records(RECORDS)] == [0, 1, 2]


def test_records_of(tmp_path):
    ann = write(tmp_path / 'ann.json', RECORDS)
    assert records_of(ann, 'samm') == [RECORDS[1]]
    with pytest.raises(AnnotationError) as err:
        records_of(ann, 'casme3')
    assert str(err.value) == (f"{ann}: no record of dataset 'casme3' "
                              '(datasets in the file: casme2, samm)')


@pytest.mark.parametrize('records,message', [
    ([rec('casme2', 's', 'c', 5, 2, 9)],
     'data_list[0] (casme2/s/c): frames must satisfy 0 < onset <= apex <= '
     'offset, got 5, 2, 9'),
    ([dict(RECORDS[0], apex='3')], 'data_list[0]: "apex" must be int'),
    ([{k: v for k, v in RECORDS[0].items() if k != 'offset'}],
     'data_list[0] lacks "offset"'),
])
def test_records_are_checked_as_the_converters_write_them(
        tmp_path, records, message):
    ann = write(tmp_path / 'bad.json', records)
    with pytest.raises(AnnotationError) as err:
        records_of(ann, 'casme2')
    assert str(err.value).startswith(f'{ann}: ')
    assert message in str(err.value)


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(AnnotationError, match='no.json: file not found'):
        records_of(str(tmp_path / 'no.json'), 'casme2')
    (tmp_path / 'bad.json').write_text('{"data_list": [')
    with pytest.raises(AnnotationError, match='bad.json: not valid JSON'):
        records_of(str(tmp_path / 'bad.json'), 'casme2')
