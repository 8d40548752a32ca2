"""Writing (atomically) and loading the normalized annotation file."""
import copy
import json
import os
import re

import pytest

from mmaction_tsfmicro.annotations import (AnnotationError, convert,
                                           load_annotation_file,
                                           write_annotation_file)
from .conftest import CASME2_SHEET, CASME3_SHEET


@pytest.fixture(scope='module')
def casme3(real_sheets):
    records, report = convert('casme3', str(CASME3_SHEET), 7)
    return records, report.metainfo(records)


def test_round_trip(tmp_path, casme3):
    records, meta = casme3
    path = tmp_path / 'casme3_7cls.json'
    write_annotation_file(str(path), records, meta)
    data = load_annotation_file(str(path))
    assert data == {'metainfo': meta, 'data_list': records}
    assert json.loads(path.read_text()) == data
    # one record per line
    lines = path.read_text().splitlines()
    assert sum(line.startswith('  {"dataset": "casme3"')
               for line in lines) == 860
    assert [p for p in os.listdir(tmp_path)] == ['casme3_7cls.json']


def test_metainfo_holds_counts_sources_and_irregular_rows(casme3):
    records, meta = casme3
    assert meta['dataset_name'] == 'casme3'
    assert meta['class_set'] == 'casme3_7'
    assert meta['classes'] == [
        'happy', 'disgust', 'fear', 'anger', 'sad', 'surprise', 'others'
    ]
    assert meta['counts']['samples'] == 860
    assert meta['counts']['subjects'] == 94
    assert meta['sources'][0]['file'] == \
        'casme3_part_A_ME_label_JpgIndex_v2.xlsx'
    assert len(meta['sources'][0]['sha256']) == 64
    assert meta['irregular']['missing_offset']['count'] == 2
    assert meta['irregular']['missing_offset']['kind'] == 'repaired'
    for r in records:
        assert meta['classes'][r['label']] == r['emotion']


def test_mmengine_and_the_dataset_class_read_it(tmp_path, real_sheets):
    from mmengine.fileio import load

    from mmaction_tsfmicro.datasets import MicroExpressionDataset
    records, report = convert('casme2', str(CASME2_SHEET), 5)
    path = str(tmp_path / 'casme2_5cls.json')
    write_annotation_file(path, records, report.metainfo(records))
    assert load(path)['data_list'] == records
    dataset = MicroExpressionDataset(
        path,
        pipeline=[],
        data_prefix=dict(img=str(tmp_path)),
        test_mode=True,
        check_frames='none')
    assert len(dataset) == 249
    assert dataset.metainfo['classes'] == [
        'happiness', 'disgust', 'repression', 'surprise', 'others'
    ]
    info = dataset.get_data_info(0)
    assert (info['subject'], info['clip'], info['onset_frame'],
            info['apex_frame'], info['label']) == ('sub01', 'EP02_01f', 46, 59,
                                                   0)


def test_write_is_atomic(tmp_path, casme3):
    records, meta = casme3
    path = tmp_path / 'out.json'
    path.write_text('old content')
    bad_meta = dict(meta, not_json={1, 2})  # fails while writing
    with pytest.raises(TypeError):
        write_annotation_file(str(path), records, bad_meta)
    assert path.read_text() == 'old content'
    assert os.listdir(tmp_path) == ['out.json']


def test_output_directory_is_made(tmp_path, casme3):
    records, meta = casme3
    path = tmp_path / 'missing' / 'deeper' / 'out.json'
    write_annotation_file(str(path), records, meta)
    assert load_annotation_file(str(path))['data_list'] == records
    with pytest.raises(AnnotationError, match='is a directory'):
        write_annotation_file(str(tmp_path), records, meta)
    (tmp_path / 'afile').write_text('x')
    with pytest.raises(AnnotationError, match=re.escape(
            f"{tmp_path / 'afile'} is a file, so the output folder")):
        write_annotation_file(str(tmp_path / 'afile' / 'x' / 'o.json'),
                              records, meta)
    assert not (tmp_path / 'afile').is_dir()


def test_invalid_data_is_not_written(tmp_path, casme3):
    records, meta = casme3
    bad = copy.deepcopy(records)
    bad[3]['label'] = 7
    path = tmp_path / 'out.json'
    with pytest.raises(
            AnnotationError,
            match=re.escape(
                f'{path}: data_list[3] (casme3/spNO.1/e_96): label 7 outside '
                '0..6')):
        write_annotation_file(str(path), bad, meta)
    assert not path.exists()


def edit(data, fn):
    data = copy.deepcopy(data)
    fn(data)
    return data


@pytest.mark.parametrize('change,message', [
    (lambda d: d.pop('metainfo'), 'no "metainfo" object'),
    (lambda d: d.update(data_list={}), 'no "data_list" list'),
    (lambda d: d['metainfo'].pop('classes'), 'metainfo lacks "classes"'),
    (lambda d: d['metainfo'].update(class_set='casme3_9'),
     "metainfo.class_set 'casme3_9' is not one of"),
    (lambda d: d['metainfo'].update(classes=['a']),
     "metainfo.classes ['a'] differ from the casme3_7 classes"),
    (lambda d: d['data_list'][0].pop('apex'), 'data_list[0] lacks "apex"'),
    (lambda d: d['data_list'][0].update(onset='355'),
     'data_list[0]: "onset" must be int, got \'355\''),
    (lambda d: d['data_list'][0].update(label=True),
     'data_list[0]: "label" must be int, got True'),
    (lambda d: d['data_list'][0].update(apex=400),
     'data_list[0] (casme3/spNO.1/a_355): frames must satisfy 0 < onset <= '
     'apex <= offset, got 355, 400, 360'),
    (lambda d: d['data_list'][1].update(clip='a_355'),
     'data_list[1] (casme3/spNO.1/a_355): same dataset, subject and clip as '
     'data_list[0]'),
    (lambda d: d['data_list'][0].update(dataset='samm'),
     "dataset 'samm' is not covered by casme3_7"),
    (lambda d: d['data_list'][0].update(action_units=5),
     '"action_units" must be str, got 5'),
    (lambda d: d['data_list'][0].update(clip_dir=None),
     '"clip_dir" must be str, got None'),
])
def test_loader_refuses(tmp_path, casme3, change, message):
    records, meta = casme3
    path = tmp_path / 'bad.json'
    path.write_text(
        json.dumps(edit({
            'metainfo': meta,
            'data_list': records
        }, change)))
    with pytest.raises(
            AnnotationError,
            match='^' + re.escape(f'{path}: ') + '.*' + re.escape(message)):
        load_annotation_file(str(path))


def test_clip_dir_and_action_units_are_optional(tmp_path, casme3):
    records, meta = casme3
    slim = [{
        k: v
        for k, v in r.items() if k not in ('clip_dir', 'action_units')
    } for r in records]
    path = tmp_path / 'slim.json'
    path.write_text(json.dumps({'metainfo': meta, 'data_list': slim}))
    assert load_annotation_file(str(path))['data_list'] == slim


def test_loader_refuses_missing_and_invalid_files(tmp_path):
    with pytest.raises(AnnotationError, match='nope.json: file not found'):
        load_annotation_file(str(tmp_path / 'nope.json'))
    path = tmp_path / 'broken.json'
    path.write_text('{"metainfo": ')
    with pytest.raises(
            AnnotationError,
            match=r'broken.json: not valid JSON '
            r'\(Expecting value: line 1'):
        load_annotation_file(str(path))
