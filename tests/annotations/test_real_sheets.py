"""The converters on the real public label sheets: counts and rules."""
from collections import Counter

import pytest

from mmaction_tsfmicro.annotations import CLASS_SETS, convert
from .conftest import CASME2_SHEET, CASME3_SHEET, SAMM_SHEET


@pytest.fixture(scope='module')
def casme2(real_sheets):
    return convert('casme2', str(CASME2_SHEET), 5)


@pytest.fixture(scope='module')
def samm(real_sheets):
    return convert('samm', str(SAMM_SHEET), 5)


@pytest.fixture(scope='module')
def casme3_7(real_sheets):
    return convert('casme3', str(CASME3_SHEET), 7)


@pytest.fixture(scope='module')
def casme3_4(real_sheets):
    return convert('casme3', str(CASME3_SHEET), 4)


def by_clip(records):
    return {(r['subject'], r['clip']): r for r in records}


def subjects(records):
    return {r['subject'] for r in records}


def check_labels(records, class_set):
    cs = CLASS_SETS[class_set]
    for r in records:
        assert cs.classes[r['label']] == cs.class_of(r['dataset'],
                                                     r['emotion'])


# ---------------------------------------------------------------- CASME II
def test_casme2_counts(casme2):
    records, report = casme2
    assert len(records) == 249
    assert len(subjects(records)) == 26
    assert Counter(r['emotion'] for r in records) == {
        'others': 99, 'disgust': 63, 'happiness': 32, 'surprise': 28,
        'repression': 27}
    assert report.sources[0]['rows'] == 255
    check_labels(records, 'casme2_5')


def test_casme2_ids_and_record_keys(casme2):
    records, _ = casme2
    first = records[0]
    assert first == {
        'dataset': 'casme2', 'subject': 'sub01', 'clip': 'EP02_01f',
        'clip_dir': 'EP02_01f', 'onset': 46, 'apex': 59, 'offset': 86,
        'emotion': 'happiness', 'label': 0, 'action_units': '12'}
    assert sorted(subjects(records)) == [f'sub{i:02d}' for i in range(1, 27)]
    assert all(r['clip'] == r['clip_dir'] for r in records)


def test_casme2_excludes_sadness_and_fear_by_rule(casme2):
    _, report = casme2
    rows = report.rows('excluded_emotion')
    assert Counter(r['detail'] for r in rows) == {'sadness': 4, 'fear': 2}
    assert {(r['subject'], r['clip'], r['row']) for r in rows} >= {
        ('sub09', 'EP13_02', 82), ('sub26', 'EP15_01', 249)}


def test_casme2_missing_apex_is_the_middle(casme2):
    records, report = casme2
    r = by_clip(records)[('sub04', 'EP12_01f')]
    assert (r['onset'], r['apex'], r['offset']) == (261, 291, 321)
    assert report.rows('missing_apex') == [{
        'file': 'CASME2-coding-20190701.xlsx', 'row': 31,
        'dataset': 'casme2', 'subject': 'sub04', 'clip': 'EP12_01f',
        'detail': "apex '/' -> 291 (middle of 261..321)"}]


def test_casme2_apex_at_onset_is_kept_and_reported(casme2):
    records, report = casme2
    r = by_clip(records)[('sub05', 'EP09_05f')]
    assert r['onset'] == r['apex'] == 69
    assert [(e['subject'], e['clip']) for e in report.rows(
        'apex_at_onset')] == [('sub05', 'EP09_05f')]
    assert set(report.entries) == {'excluded_emotion', 'missing_apex',
                                   'apex_at_onset'}


# -------------------------------------------------------------------- SAMM
def test_samm_counts(samm):
    records, report = samm
    assert len(records) == 136
    assert len(subjects(records)) == 27
    assert Counter(r['emotion'] for r in records) == {
        'anger': 57, 'happiness': 26, 'other': 26, 'surprise': 15,
        'contempt': 12}
    assert report.sources[0]['header_row'] == 14
    assert report.sources[0]['rows'] == 159
    assert Counter(r['detail'] for r in report.rows('excluded_emotion')) \
        == {'disgust': 9, 'fear': 8, 'sadness': 6}
    check_labels(records, 'samm_5')


def test_samm_subjects_are_three_digit_folders(samm):
    records, _ = samm
    # 024 and 036 have only disgust/fear/sadness samples
    assert '024' not in subjects(records) and '036' not in subjects(records)
    assert all(len(s) == 3 and s.isdigit() for s in subjects(records))
    assert all(r['clip'].startswith(r['subject'] + '_') for r in records)


def test_samm_apex_outside_is_the_middle(samm):
    records, report = samm
    clips = by_clip(records)
    assert clips[('028', '028_4_1')]['apex'] == 1102  # written 1143 > 1134
    assert clips[('032', '032_3_1')]['apex'] == 4933  # written 1930 < 4896
    assert [(e['clip'], e['row']) for e in report.rows('apex_outside')] == [
        ('028_4_1', 140), ('032_3_1', 147)]
    assert set(report.entries) == {'excluded_emotion', 'apex_outside'}


# --------------------------------------------------------------- CAS(ME)^3
def test_casme3_7_counts(casme3_7):
    records, report = casme3_7
    assert len(records) == 860
    assert len(subjects(records)) == 94
    assert Counter(r['emotion'] for r in records) == {
        'disgust': 250, 'surprise': 187, 'others': 161, 'fear': 86,
        'anger': 64, 'sad': 57, 'happy': 55}
    assert 'excluded_emotion' not in report.entries
    check_labels(records, 'casme3_7')


def test_casme3_4_counts(casme3_4):
    records, _ = casme3_4
    assert len(records) == 860
    assert Counter(CLASS_SETS['casme3_4'].classes[r['label']]
                   for r in records) == {'negative': 457, 'surprise': 187,
                                         'others': 161, 'positive': 55}
    check_labels(records, 'casme3_4')


def test_casme3_others_spellings(casme3_7):
    records, report = casme3_7
    rows = report.rows('emotion_spelling')
    assert [(r['subject'], r['clip'], r['row']) for r in rows] == [
        ('spNO.168', 'a_4', 288), ('spNO.194', 'a_7', 510),
        ('spNO.194', 'a_561', 511)]
    assert all(r['detail'] == "'Others' -> 'others'" for r in rows)
    clips = by_clip(records)
    assert clips[('spNO.168', 'a_4')]['emotion'] == 'others'


def test_casme3_shared_task_folders_get_unique_clip_ids(casme3_7):
    records, report = casme3_7
    keys = [(r['subject'], r['clip']) for r in records]
    assert len(set(keys)) == 860
    # read independently: every row is kept, in sheet order
    import openpyxl
    sheet = openpyxl.load_workbook(CASME3_SHEET, read_only=True)['label']
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(records)
    for r, (subject, letter, onset, *_) in zip(records, rows):
        assert (r['subject'], r['clip_dir']) == (subject, letter.lower())
        assert r['clip'] == f'{letter.lower()}_{int(onset)}'
    clips = by_clip(records)
    assert clips[('spNO.1', 'e_62')]['clip_dir'] == 'e'
    assert clips[('spNO.1', 'e_96')]['clip_dir'] == 'e'
    shared = Counter((r['subject'], r['clip_dir']) for r in records)
    assert report.count('shared_clip_folder') == sum(
        n for n in shared.values() if n > 1) == 588


def test_casme3_offset_zero_is_the_apex(casme3_7):
    records, report = casme3_7
    clips = by_clip(records)
    assert (clips[('spNO.40', 'e_1812')]['offset'],
            clips[('spNO.40', 'e_2327')]['offset']) == (1824, 2363)
    assert [e['row'] for e in report.rows('missing_offset')] == [798, 800]


def test_casme3_frame_zero_and_order_repairs(casme3_7):
    records, report = casme3_7
    clips = by_clip(records)
    e0 = clips[('spNO.216', 'e_0')]  # written 0, 0, 25
    assert (e0['onset'], e0['apex'], e0['offset']) == (1, 13, 25)
    d = clips[('spNO.216', 'd_3647')]  # written 3647, 2668, 2694
    assert (d['onset'], d['apex'], d['offset']) == (2642, 2668, 2694)
    d149 = clips[('spNO.149', 'd_112')]  # written 112, 83, 358
    assert (d149['onset'], d149['apex'], d149['offset']) == (112, 235, 358)
    assert report.count('missing_onset') == report.count('missing_apex') \
        == report.count('onset_after_offset') \
        == report.count('apex_outside') == 1
    assert all(0 < r['onset'] <= r['apex'] <= r['offset'] for r in records)


def test_casme3_upper_case_task_letter(casme3_7):
    records, report = casme3_7
    r = by_clip(records)[('spNO.14', 'j_1012')]
    assert r['clip_dir'] == 'j'
    assert report.rows('id_spelling') == [{
        'file': 'casme3_part_A_ME_label_JpgIndex_v2.xlsx', 'row': 61,
        'dataset': 'casme3', 'subject': 'spNO.14', 'clip': 'j_1012',
        'detail': "clip 'J' -> 'j'"}]


def test_casme3_apex_at_onset_rows_are_kept(casme3_7):
    records, report = casme3_7
    rows = report.rows('apex_at_onset')
    assert len(rows) == 54
    clips = by_clip(records)
    assert all(clips[(e['subject'], e['clip'])]['apex'] == clips[
        (e['subject'], e['clip'])]['onset'] for e in rows)
    assert sum(r['onset'] == r['apex'] for r in records) == 54


def test_casme3_over_long_rows_are_flagged_and_listed(casme3_7):
    records, report = casme3_7
    rows = report.rows('long_span')
    assert len(rows) == 72  # of 860; longer than 2 s at 30 fps
    by_clip = {(r['subject'], r['clip']): r['detail'] for r in rows}
    assert by_clip[('spNO.214', 'c_5')] == ('5..3460: 3456 frames = 115.2 s '
                                            'at 30 fps')
    assert ('spNO.2', 'j_7') in by_clip and ('spNO.190', 'm_8') in by_clip
    assert len(records) == 860  # kept as annotated
    summary = report.summary(records)
    assert '[kept] long_span: 72 row(s)' in summary
    # every flagged row is listed, not only the first ten
    for subject, clip in by_clip:
        assert f'casme3/{subject}/{clip} (' in summary
    assert 'long_span' in report.metainfo(records)['irregular']


def test_no_over_long_rows_in_casme2_and_samm(casme2, samm):
    for records, report in (casme2, samm):
        assert report.count('long_span') == 0
