"""The MEGC 2019 composite: the real list joined to the real sheets, and
small synthetic lists for the join rules and the SMIC sheet."""
import csv
import re
from collections import Counter

import pytest

from mmaction_tsfmicro.annotations import (CLASS_SETS, AnnotationError,
                                           convert, identify_sheet)
from .conftest import (CASME2_HEADER, CASME2_SHEET, CASME3_SHEET,
                       COMPOSITE_LIST, SAMM_HEADER, SAMM_SHEET, casme2_row,
                       samm_legend, samm_row, write_csv, write_xlsx)


@pytest.fixture(scope='module')
def megc(real_sheets):
    return convert('megc2019', [str(COMPOSITE_LIST), str(CASME2_SHEET),
                                str(SAMM_SHEET)], 3)


def composite_lines():
    with open(COMPOSITE_LIST, newline='') as f:
        return [row for row in csv.reader(f) if row]


def test_counts(megc):
    records, report = megc
    per = Counter(r['dataset'] for r in records)
    assert per == {'casme2': 145, 'samm': 133}
    assert len({r['subject'] for r in records
                if r['dataset'] == 'casme2'}) == 24
    assert len({r['subject'] for r in records
                if r['dataset'] == 'samm'}) == 28
    meta = report.metainfo(records)
    assert meta['counts']['per_dataset'] == {
        'casme2': {'samples': 145, 'subjects': 24},
        'samm': {'samples': 133, 'subjects': 28}}
    assert meta['classes'] == ['negative', 'positive', 'surprise']


def test_labels_follow_the_list_and_agree_with_the_mapping(megc):
    records, report = megc
    lines = [row for row in composite_lines() if row[0] != 'smic']
    assert len(lines) == len(records)
    cs = CLASS_SETS['megc2019_3']
    for (db, subject, clip, label), r in zip(lines, records):
        assert r['dataset'] == db and r['clip'] == clip
        assert r['subject'] == (subject if db == 'casme2' else
                                f'{int(subject):03d}')
        assert r['label'] == int(label)
        assert cs.label_of(cs.class_of(db, r['emotion'])) == int(label)
    assert 'label_mismatch' not in report.entries
    assert 'composite_unmatched' not in report.entries


def test_frames_come_from_the_sheets(megc):
    records, report = megc
    clips = {(r['dataset'], r['subject'], r['clip']): r for r in records}
    r = clips[('casme2', 'sub01', 'EP02_01f')]
    assert (r['onset'], r['apex'], r['offset'], r['emotion']) == (
        46, 59, 86, 'happiness')
    r = clips[('samm', '006', '006_1_2')]
    assert (r['onset'], r['apex'], r['offset'], r['emotion']) == (
        5562, 5588, 5632, 'anger')
    assert clips[('samm', '028', '028_4_1')]['apex'] == 1102
    assert [e['clip'] for e in report.rows('apex_outside')] == [
        '028_4_1', '032_3_1']


def test_smic_is_left_out_and_said_so(megc):
    records, report = megc
    rows = report.rows('smic_left_out')
    assert len(rows) == 164
    assert len({r['subject'] for r in rows}) == 16
    assert Counter(r['detail'] for r in rows) == {
        'negative': 70, 'positive': 51, 'surprise': 43}
    assert report.notes == [
        'SMIC left out: no SMIC annotation sheet was given, so the 164 smic '
        'rows of 16 subjects in combined_3class_gt.csv are not written '
        '(give a SMIC sheet, see docs/annotations.md)']
    assert 'NOTE: SMIC left out' in report.summary(records)


def test_sheet_rows_outside_the_list_are_reported(megc):
    _, report = megc
    rows = report.rows('not_in_composite')
    assert Counter((r['dataset'], r['detail']) for r in rows) == {
        ('casme2', 'others'): 99, ('samm', 'other'): 26,
        ('casme2', 'sadness'): 4, ('casme2', 'surprise'): 3,
        ('casme2', 'disgust'): 2, ('casme2', 'fear'): 2}
    names = {(r['subject'], r['clip']) for r in rows}
    # the apex "/" row and the apex = onset row are not in the list
    assert {('sub04', 'EP12_01f'), ('sub05', 'EP09_05f')} <= names


def test_roles_by_content_or_prefix(real_sheets, tmp_path):
    assert identify_sheet(str(COMPOSITE_LIST)) == 'composite'
    assert identify_sheet(str(CASME2_SHEET)) == 'casme2'
    assert identify_sheet(str(SAMM_SHEET)) == 'samm'
    with pytest.raises(AnnotationError, match='CAS\\(ME\\)\\^3 sheet is not '
                       'part of the MEGC 2019 composite'):
        identify_sheet(str(CASME3_SHEET))
    records, _ = convert('megc2019', {
        'samm': str(SAMM_SHEET), 'composite': str(COMPOSITE_LIST),
        'casme2': str(CASME2_SHEET)})
    assert len(records) == 278
    records, _ = convert('megc2019', [
        f'samm={SAMM_SHEET}', str(CASME2_SHEET), str(COMPOSITE_LIST)])
    assert len(records) == 278


# ------------------------------------------------------------ synthetic
@pytest.fixture
def small(tmp_path):
    casme2 = write_xlsx(tmp_path / 'casme2.xlsx', [
        CASME2_HEADER,
        casme2_row('01', 'EP02_01f', 46, 59, 86, 'happiness'),
        casme2_row('01', 'EP19_05f', 396, 416, 446, 'disgust'),
        casme2_row('02', 'EP01_11f', 46, 91, 96, 'repression'),
        casme2_row('02', 'EP03_02', 131, 139, 161, 'others'),
    ])
    samm = write_xlsx(tmp_path / 'samm.xlsx', samm_legend() + [
        SAMM_HEADER,
        samm_row('006', '006_1_2', 5562, 5588, 5632, 'Anger'),
        samm_row('007', '007_5_1', 100, 120, 140, 'Happiness'),
    ], title='MICRO_ONLY')
    return tmp_path, str(casme2), str(samm)


def test_unmatched_duplicate_and_conflicting_list_rows(small):
    folder, casme2, samm = small
    composite = write_csv(folder / 'list.csv', [
        ('casme2', 'sub01', 'EP02_01f', 1),
        ('casme2', 'sub01', 'EP19_05f', 0),
        ('casme2', 'sub01', 'EP19_05f', 0),  # duplicate line
        ('casme2', 'sub02', 'EP01_11f', 0),
        ('casme2', 'sub02', 'EP01_11f', 2),  # conflicting label
        ('casme2', 'sub03', 'EP99_01', 0),  # not in the sheet
        ('samm', '6', '006_1_2', 0),
        ('samm', '7', '007_5_1', 1),
    ])
    records, report = convert('megc2019', [str(composite), casme2, samm])
    assert [(r['subject'], r['clip'], r['label']) for r in records] == [
        ('sub01', 'EP02_01f', 1), ('sub01', 'EP19_05f', 0),
        ('006', '006_1_2', 0), ('007', '007_5_1', 1)]
    assert [e['row'] for e in report.rows('duplicate_row')] == [3]
    assert [e['row'] for e in report.rows('conflicting_rows')] == [4, 5]
    assert report.rows('composite_unmatched') == [{
        'file': 'list.csv', 'row': 6, 'dataset': 'casme2',
        'subject': 'sub03', 'clip': 'EP99_01',
        'detail': 'no row sub03/EP99_01 in the CASME II sheet'}]
    assert {(e['clip'], e['detail'])
            for e in report.rows('not_in_composite')} == {
        ('EP01_11f', 'repression'), ('EP03_02', 'others')}
    summary = report.summary(records)
    assert 'casme2/sub03/EP99_01 (list.csv row 6)' in summary


def test_list_label_wins_and_a_mismatch_is_reported(small):
    folder, casme2, samm = small
    composite = write_csv(folder / 'list.csv', [
        ('casme2', 'sub01', 'EP19_05f', 1),  # disgust listed as positive
        ('casme2', 'sub02', 'EP03_02', 2),  # others (no class) as surprise
        ('samm', '006', '006_1_2', 0),
    ])
    records, report = convert('megc2019', [str(composite), casme2, samm])
    assert [r['label'] for r in records] == [1, 2, 0]
    assert [r['emotion'] for r in records] == ['disgust', 'others', 'anger']
    assert [e['detail'] for e in report.rows('label_mismatch')] == [
        'emotion disgust (negative) but list label 1 (positive)',
        'emotion others (no class) but list label 2 (surprise)']


def test_smic_sheet_is_joined(small):
    folder, casme2, samm = small
    composite = write_csv(folder / 'list.csv', [
        ('casme2', 'sub01', 'EP02_01f', 1),
        ('samm', '6', '006_1_2', 0),
        ('smic', 's01', 's01_ne_01', 0),
        ('smic', 's01', 's01_po_01', 1),
        ('smic', 's02', 's02_sur_01', 2),
    ])
    smic = write_xlsx(folder / 'smic.xlsx', [
        ('Subject', 'Filename', 'Emotion', 'OnsetF', 'OffsetF'),
        (1, 's1_ne_01', 'negative', 10, 30),
        (1, 's1_po_01', 'positive', 100, 111),
        (3, 's3_ne_01', 'negative', 5, 9),
    ])
    records, report = convert('megc2019', [str(composite), casme2, samm,
                                           str(smic)])
    smic_records = [r for r in records if r['dataset'] == 'smic']
    assert smic_records == [
        {'dataset': 'smic', 'subject': 's01', 'clip': 's1_ne_01',
         'clip_dir': 's1_ne_01', 'onset': 10, 'apex': 20, 'offset': 30,
         'emotion': 'negative', 'label': 0},
        {'dataset': 'smic', 'subject': 's01', 'clip': 's1_po_01',
         'clip_dir': 's1_po_01', 'onset': 100, 'apex': 105, 'offset': 111,
         'emotion': 'positive', 'label': 1}]
    assert report.count('missing_apex') == 2  # SMIC has no apex column
    assert [e['clip'] for e in report.rows('composite_unmatched')] == [
        's02_sur_01']
    assert [e['clip'] for e in report.rows('not_in_composite')
            if e['dataset'] == 'smic'] == ['s3_ne_01']
    assert 'smic_left_out' not in report.entries and not report.notes


@pytest.mark.parametrize('line,message', [
    (('mmew', 'sub01', 'EP02_01f', 1),
     "row 2: database 'mmew' is not casme2, samm, smic"),
    (('casme2', 'sub01', 'EP02_01f', 5),
     "row 2: label '5' is not 0, 1 or 2"),
    (('casme2', 'sub01', 'EP02_01f', 'x'),
     "row 2: label 'x' is not 0, 1 or 2"),
    (('casme2', 'sub01', '', 1),
     'row 2: expected 4 fields (database, subject, clip, label), got 3'),
    (('samm', 'x7', '007_5_1', 1),
     "row 2: subject 'x7' is not a SAMM subject"),
])
def test_bad_list_lines(small, line, message):
    folder, casme2, samm = small
    composite = write_csv(folder / 'list.csv', [
        ('casme2', 'sub01', 'EP02_01f', 1), line])
    with pytest.raises(AnnotationError,
                       match=re.escape(f'{composite}: {message}')):
        convert('megc2019', [str(composite), casme2, samm])


def test_missing_inputs(small):
    folder, casme2, samm = small
    composite = write_csv(folder / 'list.csv', [
        ('casme2', 'sub01', 'EP02_01f', 1), ('samm', '6', '006_1_2', 0)])
    with pytest.raises(AnnotationError,
                       match='lists 1 samm rows; give the SAMM sheet too'):
        convert('megc2019', [str(composite), casme2])
    with pytest.raises(AnnotationError, match='needs the composite list'):
        convert('megc2019', [casme2, samm])
    with pytest.raises(AnnotationError, match='two casme2 files given'):
        convert('megc2019', [str(composite), casme2, samm, casme2])
    with pytest.raises(AnnotationError, match='not a file of the MEGC 2019 '
                       'composite'):
        convert('megc2019', [str(composite), casme2, samm, str(
            write_csv(folder / 'other.csv', [('a', 'b'), ('1', '2')]))])
    with pytest.raises(AnnotationError, match='missing.csv: file not found'):
        convert('megc2019', [str(folder / 'missing.csv'), casme2, samm])


def test_the_superseded_441_row_list(real_sheets, tmp_path):
    """The challenge's first list (combined_3class_gt-2.csv, 2018-11-30)
    lacked SAMM 032_3_1 and had a ',,,' line between its rows; the list of
    2018-12-07 (442 rows) replaced it. Both convert; the first gives one
    SAMM sample fewer."""
    lines = [row for row in composite_lines()
             if row != ['samm', '32', '032_3_1', '0']]
    assert len(lines) == 441
    old = tmp_path / 'combined_3class_gt-2.csv'
    with open(old, 'w', newline='') as f:
        writer = csv.writer(f)
        for row in lines:
            writer.writerow(row)
            writer.writerow(['', '', '', ''])
    records, report = convert(
        'megc2019', [str(old), str(CASME2_SHEET), str(SAMM_SHEET)], 3)
    assert Counter(r['dataset'] for r in records) == {'casme2': 145,
                                                      'samm': 132}
    assert ('samm', '032', '032_3_1') not in {
        (r['dataset'], r['subject'], r['clip']) for r in records}
    assert report.count('blank_row') >= 440
    assert report.sources[0]['rows'] == 441
