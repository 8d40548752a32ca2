"""The rules of irregular rows and the input errors, on small sheets the
tests write themselves (each rule in a known row)."""
import re

import pytest

from mmaction_tsfmicro.annotations import AnnotationError, convert
from .conftest import (CASME2_HEADER, CASME3_HEADER, SAMM_HEADER, casme2_row,
                       casme3_row, samm_legend, samm_row, write_csv,
                       write_xlsx)


def rows_of(report, rule):
    return [(e['row'], e.get('subject'), e.get('clip'), e['detail'])
            for e in report.rows(rule)]


@pytest.fixture
def casme2_sheet(tmp_path):
    rows = [
        CASME2_HEADER,
        casme2_row(1, 'EP02_01f', 46, 59, 86, 'happiness', 12),  # 2
        casme2_row('01', 'EP03_02', 10, '/', 30, 'others'),  # 3 apex "/"
        casme2_row('02', 'EP04_02', 10, 50, 40, 'disgust'),  # 4 apex after
        casme2_row('02', 'EP04_03', 10, 15, 0, 'disgust'),  # 5 offset 0
        casme2_row('sub03', 'EP05_01 ', 20, 25, None, ' Disgust '),  # 6
        (),  # 7 blank
        casme2_row(3, 'EP06_01', None, 25, 30, 'others'),  # 8 no onset
        casme2_row(3, 'EP07_01', 5, 8, 12, 'surprise'),  # 9
        casme2_row(3, 'EP07_01', 5, 8, 12, 'surprise'),  # 10 duplicate
        casme2_row(4, 'EP08_01', 5, 8, 12, 'surprise'),  # 11 conflicts
        casme2_row(4, 'EP08_01', 5, 8, 12, 'repression'),  # 12 with 11
        casme2_row(4, 'EP09_01', 5, 8, 12, 'sadness'),  # 13 excluded
        casme2_row(4, 'EP10_01', 7, 7, 12, 'others'),  # 14 apex = onset
        casme2_row(4, 'EP11_01', 30, 20, 10, 'others'),  # 15 backwards
        (), (),  # trailing blank rows: not rows of the sheet
    ]
    return write_xlsx(tmp_path / 'casme2.xlsx', rows,
                      extra_sheets=['Sheet2'])


def test_casme2_rules(casme2_sheet):
    records, report = convert('casme2', str(casme2_sheet), 5)
    assert [(r['subject'], r['clip'], r['onset'], r['apex'], r['offset'],
             r['emotion'], r['label']) for r in records] == [
        ('sub01', 'EP02_01f', 46, 59, 86, 'happiness', 0),
        ('sub01', 'EP03_02', 10, 20, 30, 'others', 4),
        ('sub02', 'EP04_02', 10, 25, 40, 'disgust', 1),
        ('sub02', 'EP04_03', 10, 15, 15, 'disgust', 1),
        ('sub03', 'EP05_01', 20, 25, 25, 'disgust', 1),
        ('sub03', 'EP07_01', 5, 8, 12, 'surprise', 3),
        ('sub04', 'EP10_01', 7, 7, 12, 'others', 4),
        ('sub04', 'EP11_01', 10, 20, 30, 'others', 4)]
    assert records[0]['action_units'] == '12'
    assert rows_of(report, 'missing_apex') == [
        (3, 'sub01', 'EP03_02', "apex '/' -> 20 (middle of 10..30)")]
    assert rows_of(report, 'apex_outside') == [
        (4, 'sub02', 'EP04_02', 'apex 50 outside 10..40 -> 25 (middle)')]
    assert rows_of(report, 'missing_offset') == [
        (5, 'sub02', 'EP04_03', 'offset 0 -> 15 (the apex)'),
        (6, 'sub03', 'EP05_01', 'offset blank -> 25 (the apex)')]
    assert rows_of(report, 'id_spelling') == [
        (6, 'sub03', 'EP05_01', "clip 'EP05_01 ' -> 'EP05_01'")]
    assert rows_of(report, 'emotion_spelling') == [
        (6, 'sub03', 'EP05_01', "' Disgust ' -> 'disgust'")]
    assert rows_of(report, 'blank_row') == [(7, None, None, 'no values')]
    assert rows_of(report, 'unplaceable_frames') == [
        (8, 'sub03', 'EP06_01',
         'onset blank; the first frame number is unknown')]
    assert rows_of(report, 'duplicate_row') == [
        (10, 'sub03', 'EP07_01', 'same as row 9')]
    assert [r[:3] for r in rows_of(report, 'conflicting_rows')] == [
        (11, 'sub04', 'EP08_01'), (12, 'sub04', 'EP08_01')]
    assert rows_of(report, 'excluded_emotion') == [
        (13, 'sub04', 'EP09_01', 'sadness')]
    assert rows_of(report, 'apex_at_onset') == [
        (14, 'sub04', 'EP10_01', 'onset = apex = 7')]
    assert rows_of(report, 'reversed_frames') == [
        (15, 'sub04', 'EP11_01', '30, 20, 10 written backwards -> 10, 20, '
         '30')]
    assert report.sources[0]['rows'] == 13


def test_summary_lists_every_rule_with_its_rows(casme2_sheet):
    records, report = convert('casme2', str(casme2_sheet), 5)
    text = report.summary(records)
    assert text.splitlines()[0] == ('CASME II -> casme2_5: happiness, '
                                    'disgust, repression, surprise, others')
    assert 'samples: 8 of 4 subjects; per class: happiness 1, disgust 3, ' \
        'repression 0, surprise 1, others 3' in text
    for rule in report.entries:
        assert f'] {rule}: {report.count(rule)} row(s)' in text
    assert ("casme2/sub04/EP11_01 (casme2.xlsx row 15): 30, 20, 10 written "
            'backwards -> 10, 20, 30') in text
    short = report.summary(records, limit=0)
    # left-out and kept rows are cut to the limit, dropped and repaired not
    assert short.count('... and 1 more (all in metainfo["irregular"])') \
        == 3  # blank_row, excluded_emotion, apex_at_onset
    assert 'sub04/EP10_01 (casme2.xlsx row 14)' not in short
    assert 'sub04/EP11_01 (casme2.xlsx row 15)' in short
    assert 'sub03/EP07_01 (casme2.xlsx row 10): same as row 9' in short
    meta = report.metainfo(records)
    assert meta['irregular']['duplicate_row'] == {
        'kind': 'dropped', 'rule': meta['irregular']['duplicate_row']['rule'],
        'count': 1, 'rows': [{'file': 'casme2.xlsx', 'row': 10,
                              'dataset': 'casme2', 'subject': 'sub03',
                              'clip': 'EP07_01', 'detail': 'same as row 9'}]}
    assert meta['counts']['per_class']['others'] == 3


def test_samm_header_below_a_legend_and_spellings(tmp_path):
    sheet = write_xlsx(tmp_path / 'samm.xlsx', samm_legend() + [
        SAMM_HEADER,
        samm_row(6, '006_1_2', 5562, 5588, 5632, 'Anger'),  # row 15
        samm_row('006', '006_1_3', 3912, 3948, 3988, 'Anger'),
        samm_row('007', '007_1_1', 100, 120, 140, 'Others'),  # alias
        samm_row('007', '007_1_2', 100, 120, 140, 'anger'),  # case
        samm_row('007', '007_1_3', 100, 120, 140, 'Disgust'),  # excluded
    ], title='MICRO_ONLY')
    records, report = convert('samm', str(sheet), 5)
    assert [(r['subject'], r['clip'], r['emotion'], r['label'])
            for r in records] == [('006', '006_1_2', 'anger', 0),
                                  ('006', '006_1_3', 'anger', 0),
                                  ('007', '007_1_1', 'other', 4),
                                  ('007', '007_1_2', 'anger', 0)]
    assert report.sources[0]['header_row'] == 14
    assert rows_of(report, 'emotion_spelling') == [
        (17, '007', '007_1_1', "'Others' -> 'other'"),
        (18, '007', '007_1_2', "'anger' -> 'anger'")]
    assert rows_of(report, 'excluded_emotion') == [
        (19, '007', '007_1_3', 'disgust')]


def casme3_rows():
    return [
        CASME3_HEADER,
        casme3_row('spNO.1', 'a', 355, 359, 360, 'others'),  # 2
        casme3_row('spNO.1', 'e', 62, 68, 96, 'others'),  # 3
        casme3_row('spNO.1', 'e', 96, 102, 106, 'Others'),  # 4 same folder
        casme3_row('spNO.1', 'e', 96, 102, 106, 'others'),  # 5 duplicate
        casme3_row('spNO.2', 'f', 10, 12, 20, 'happy'),  # 6 conflicts
        casme3_row('spNO.2', 'f', 10, 14, 20, 'happy'),  # 7 with 6
        casme3_row('spNO.2', 'J', 1012, 1019, 1038, 'sad'),  # 8 letter
        casme3_row('spNO.2', 'g', 0, 0, 25, 'fear'),  # 9 frame 0
        casme3_row('SPNO.3', 'b', 166, 175, 179, 'disgust'),  # 10
    ]


@pytest.mark.parametrize('suffix', ['xlsx', 'csv'])
def test_casme3_rules(tmp_path, suffix):
    path = tmp_path / f'casme3.{suffix}'
    (write_xlsx if suffix == 'xlsx' else write_csv)(path, casme3_rows())
    records, report = convert('casme3', str(path), 4)
    assert [(r['subject'], r['clip'], r['clip_dir'], r['onset'], r['apex'],
             r['offset'], r['label']) for r in records] == [
        ('spNO.1', 'a_355', 'a', 355, 359, 360, 3),
        ('spNO.1', 'e_62', 'e', 62, 68, 96, 3),
        ('spNO.1', 'e_96', 'e', 96, 102, 106, 3),
        ('spNO.2', 'j_1012', 'j', 1012, 1019, 1038, 1),
        ('spNO.2', 'g_0', 'g', 1, 13, 25, 1),
        ('spNO.3', 'b_166', 'b', 166, 175, 179, 1)]
    assert rows_of(report, 'shared_clip_folder') == [
        (3, 'spNO.1', 'e_62', 'folder e holds 2 samples'),
        (4, 'spNO.1', 'e_96', 'folder e holds 2 samples')]
    # 'Others' in row 4 equals row 5 once normalized: a duplicate
    assert rows_of(report, 'duplicate_row') == [
        (5, 'spNO.1', 'e_96', 'same as row 4')]
    assert rows_of(report, 'emotion_spelling') == [
        (4, 'spNO.1', 'e_96', "'Others' -> 'others'")]
    assert [r[0] for r in rows_of(report, 'conflicting_rows')] == [6, 7]
    assert rows_of(report, 'id_spelling') == [
        (8, 'spNO.2', 'j_1012', "clip 'J' -> 'j'"),
        (10, 'spNO.3', 'b_166', "subject 'SPNO.3' -> 'spNO.3'")]
    assert rows_of(report, 'missing_onset') == [
        (9, 'spNO.2', 'g_0', "onset '0' -> 1 (first frame)")]
    assert rows_of(report, 'missing_apex') == [
        (9, 'spNO.2', 'g_0', "apex '0' -> 13 (middle of 1..25)")]


# ------------------------------------------------------------- bad input
def casme2_with(tmp_path, row, header=CASME2_HEADER):
    return str(write_xlsx(tmp_path / 'bad.xlsx', [
        header, casme2_row(1, 'EP02_01f', 46, 59, 86, 'happiness'), row]))


@pytest.mark.parametrize('row,message', [
    (casme2_row(1, 'EP03_02', 'abc', 59, 86, 'others'),
     "row 3: OnsetFrame 'abc' is not a frame number"),
    (casme2_row(1, 'EP03_02', 12.5, 59, 86, 'others'),
     'row 3: OnsetFrame 12.5 is not a frame number'),
    (casme2_row(1, 'EP03_02', 46, 59, '1-2', 'others'),
     "row 3: OffsetFrame '1-2' is not a frame number"),
    (casme2_row(1, 'EP03_02', 46, 59, 86, 'joy'),
     "row 3: Estimated Emotion 'joy' is an unknown emotion word for "
     'CASME II (known: happiness, disgust'),
    (casme2_row(1, 'EP03_02', 46, 59, 86, None),
     'row 3: Estimated Emotion blank is empty'),
    (casme2_row(None, 'EP03_02', 46, 59, 86, 'others'),
     'row 3: Subject blank is empty'),
    (casme2_row('s1x', 'EP03_02', 46, 59, 86, 'others'),
     "row 3: Subject 's1x' is not a CASME II subject"),
    (casme2_row(1, None, 46, 59, 86, 'others'),
     'row 3: Filename blank is empty'),
])
def test_bad_cells_name_file_row_and_column(tmp_path, row, message):
    path = casme2_with(tmp_path, row)
    with pytest.raises(AnnotationError,
                       match='^' + re.escape(f'{path}: {message}')):
        convert('casme2', path)


def test_missing_column(tmp_path):
    header = tuple(h if h != 'ApexFrame' else 'Apex' for h in CASME2_HEADER)
    path = casme2_with(tmp_path, (), header)
    with pytest.raises(AnnotationError, match=re.escape(
            f"{path}: worksheet 'Sheet1' row 1: missing column 'ApexFrame' "
            "(the CASME II sheet needs 'Subject', 'Filename', 'OnsetFrame', "
            "'ApexFrame', 'OffsetFrame', 'Estimated Emotion'; found "
            "'Subject', 'Filename', 'Unnamed: 2', 'OnsetFrame', 'Apex'")):
        convert('casme2', path)


def test_no_header(tmp_path):
    path = str(write_xlsx(tmp_path / 'x.xlsx', [('a', 'b'), (1, 2)]))
    with pytest.raises(AnnotationError, match=re.escape(
            f"{path}: no header row with the columns 'Subject' and "
            "'Filename' in the first 30 rows of any worksheet; is this the "
            'SAMM label sheet?')):
        convert('samm', path)


@pytest.mark.parametrize('name,content,message', [
    ('bad.xlsx', b'not a zip', 'unreadable sheet, not an Excel workbook '
     '(BadZipFile'),
    ('bad.csv', b'\xff\xfe\x00\x01bad', 'unreadable sheet, not a CSV table'),
    ('old.xls', b'x', 'legacy .xls workbooks are not read; save the sheet '
     'as .xlsx'),
    ('notes.txt.md', b'x', 'unreadable sheet, unknown format .md'),
])
def test_unreadable_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AnnotationError,
                       match='^' + re.escape(f'{path}: {message}')):
        convert('casme3', str(path))


def test_missing_file_and_wrong_arguments(tmp_path, casme2_sheet):
    missing = str(tmp_path / 'missing.xlsx')
    with pytest.raises(AnnotationError,
                       match=re.escape(f'{missing}: file not found')):
        convert('casme2', missing)
    with pytest.raises(AnnotationError, match=re.escape(
            f'{tmp_path}: not a file')):
        convert('casme2', str(tmp_path))
    with pytest.raises(AnnotationError, match='casme2 takes exactly one '
                       'sheet, got 2'):
        convert('casme2', [str(casme2_sheet), str(casme2_sheet)])
    with pytest.raises(AnnotationError, match="unknown dataset 'mmew'"):
        convert('mmew', str(casme2_sheet))
    # the class set is checked before any file is read
    with pytest.raises(AnnotationError, match='--classes 3: SAMM has no '
                       '3-class set; choose 5'):
        convert('samm', missing, 3)
