"""The annotation records the preprocessing jobs read."""
import json

import pytest

from mmaction_tsfmicro.preprocessing.records import (load_records, records_of,
                                                     select_records)

RECORDS = [
    dict(dataset='casme2', subject='sub01', clip='EP01', onset=1, apex=3),
    dict(dataset='samm', subject='006', clip='006_1_2', onset=5, apex=9),
    dict(subject='sub02', clip='EP02', onset=2, apex=4),  # no dataset key
]


def write(path, data):
    path.write_text(json.dumps(data))
    return str(path)


def test_load_records(tmp_path):
    ann = write(tmp_path / 'ann.json', dict(metainfo={}, data_list=RECORDS))
    assert load_records(ann) == RECORDS
    missing = str(tmp_path / 'no.json')
    with pytest.raises(FileNotFoundError) as err:
        load_records(missing)
    assert str(err.value) == f'annotation file not found: {missing}'
    (tmp_path / 'bad.json').write_text('{"data_list": [')
    with pytest.raises(ValueError, match='bad.json: not valid JSON'):
        load_records(str(tmp_path / 'bad.json'))
    for data in (RECORDS, dict(data_list={})):
        with pytest.raises(ValueError, match='not a normalized annotation '
                           'file'):
            load_records(write(tmp_path / 'list.json', data))


def test_select_records():
    kept = list(select_records(RECORDS, 'casme2'))
    # records without a dataset key are kept
    assert kept == [(0, RECORDS[0]), (2, RECORDS[2])]
    assert [i for i, _ in select_records(RECORDS)] == [0, 1, 2]
    with pytest.raises(KeyError, match=r"record 1 lacks \['clip', 'apex'\]"):
        list(select_records([RECORDS[0], dict(subject='s', onset=1)]))


def test_records_of(tmp_path):
    ann = write(tmp_path / 'ann.json', dict(data_list=RECORDS[:2]))
    assert records_of(ann, 'samm') == [RECORDS[1]]
    with pytest.raises(ValueError) as err:
        records_of(ann, 'casme3')
    assert str(err.value) == (f"{ann}: no record of dataset 'casme3' "
                              '(datasets in the file: casme2, samm)')
