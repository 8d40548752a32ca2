"""The frame rules, one by one (parse_frame and repair_frames)."""
import pytest

from mmaction_tsfmicro.annotations.row_rules import (parse_frame,
                                                     repair_frames, show_cell)


@pytest.mark.parametrize('cell,expected', [
    (46, 46), (46.0, 46), ('46', 46), (' 46 ', 46), ('46.0', 46),
    (None, None), (float('nan'), None), ('', None), ('  ', None),
    ('/', None), ('-', None), ('?', None), (0, None), ('0', None)])
def test_parse_frame(cell, expected):
    assert parse_frame(cell) == expected


@pytest.mark.parametrize('cell', ['abc', '12a', -3, '-3', 12.5, True,
                                  '1/2'])
def test_parse_frame_refuses(cell):
    with pytest.raises(ValueError, match='not a frame number'):
        parse_frame(cell)


def test_show_cell():
    assert show_cell('/') == "'/'"
    assert show_cell(None) == 'blank'
    assert show_cell(' ') == 'blank'
    assert show_cell(12.0) == '12'


def test_regular_triple_is_untouched():
    out = repair_frames(46, 59, 86)
    assert (out.onset, out.apex, out.offset) == (46, 59, 86)
    assert out.fixes == [] and out.dropped is None


def test_apex_equal_to_onset_or_offset_is_regular():
    assert repair_frames(69, 69, 123).fixes == []
    assert repair_frames(141, 181, 181).fixes == []


def test_missing_apex_is_the_middle():
    out = repair_frames(261, None, 321, raw={'apex': '/'})
    assert (out.onset, out.apex, out.offset) == (261, 291, 321)
    assert out.fixes == [('missing_apex',
                          "apex '/' -> 291 (middle of 261..321)")]
    assert repair_frames(10, None, 15).apex == 12  # floor


def test_missing_offset_is_the_apex():
    out = repair_frames(1812, 1824, None, raw={'offset': '0'})
    assert (out.onset, out.apex, out.offset) == (1812, 1824, 1824)
    assert out.fixes == [('missing_offset', "offset '0' -> 1824 (the apex)")]


def test_missing_onset_uses_a_known_first_frame():
    out = repair_frames(None, None, 25, first_frame=1,
                        raw={'onset': '0', 'apex': '0'})
    assert (out.onset, out.apex, out.offset) == (1, 13, 25)
    assert [r for r, _ in out.fixes] == ['missing_onset', 'missing_apex']


def test_missing_onset_without_first_frame_is_dropped():
    out = repair_frames(None, 20, 30)
    assert out.dropped[0] == 'unplaceable_frames'
    assert 'first frame number is unknown' in out.dropped[1]
    assert out.onset is None and out.apex is None and out.offset is None


@pytest.mark.parametrize('triple,reason', [
    ((10, None, None), 'both missing'),
    ((10, 5, None), 'before onset'),
    ((30, None, 20), 'after offset'),
])
def test_unplaceable_rows(triple, reason):
    out = repair_frames(*triple)
    assert out.dropped[0] == 'unplaceable_frames'
    assert reason in out.dropped[1]


def test_apex_outside_is_the_middle():
    out = repair_frames(1071, 1143, 1134)  # SAMM 028_4_1
    assert (out.onset, out.apex, out.offset) == (1071, 1102, 1134)
    assert out.fixes[0][0] == 'apex_outside'
    assert repair_frames(4896, 1930, 4970).apex == 4933  # SAMM 032_3_1
    assert repair_frames(112, 83, 358).apex == 235  # CAS(ME)^3 spNO.149 d


def test_onset_after_offset_is_reestimated():
    out = repair_frames(3647, 2668, 2694)  # CAS(ME)^3 spNO.216 d
    assert (out.onset, out.apex, out.offset) == (2642, 2668, 2694)
    assert out.fixes[0][0] == 'onset_after_offset'
    # never before the first frame
    assert repair_frames(900, 5, 40, first_frame=1).onset == 1


def test_offset_before_onset_is_reestimated():
    out = repair_frames(100, 110, 50)
    assert (out.onset, out.apex, out.offset) == (100, 110, 120)
    assert out.fixes[0][0] == 'offset_before_onset'


def test_reversed_triple_is_swapped():
    out = repair_frames(90, 70, 50)
    assert (out.onset, out.apex, out.offset) == (50, 70, 90)
    assert out.fixes[0][0] == 'reversed_frames'


@pytest.mark.parametrize('triple', [
    (3647, 2668, 2694), (100, 110, 50), (90, 70, 50), (1071, 1143, 1134),
    (5, None, 9), (None, None, 9), (7, 8, None)])
def test_every_repair_is_ordered(triple):
    out = repair_frames(*triple, first_frame=1)
    assert 1 <= out.onset <= out.apex <= out.offset
