"""Reading the long-video sheets: the quirks of the real ones."""
import pytest
from openpyxl import Workbook

from mmaction_tsfmicro.spotting.sheets import (find_video_folder,
                                               read_casme2_long_sheet,
                                               read_samm_long_sheet)


def casme2_sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = 'CASFEcode_final'
    for row in rows:
        ws.append(row)
    wb.create_sheet('naming rule1').append(['15', 's15', 1])
    rule2 = wb.create_sheet('naming rule2')
    rule2.append([101, 'disgust1'])
    rule2.append([401, 'anger1'])
    wb.save(path)


def test_casme2_rows_offset_zero_and_macro(tmp_path):
    path = str(tmp_path / 'code.xlsx')
    casme2_sheet(path, [
        [1, 'disgust1_1', 557, 572, 608, 'AU4+AU9', 'negative',
         'macro-expression', 'disgust'],
        [1, 'anger1_2', 699, 703, 0, 'AU4', 'negative', 'micro-expression',
         'anger'],
        [1, 'anger1_3', 800, 0, 810, 'AU4', 'negative', 'micro-expression',
         'anger'],
    ])
    rows = read_casme2_long_sheet(path)
    assert [(r['video'], r['type']) for r in rows] == [
        ('15_0101', 'macro'), ('15_0401', 'micro'), ('15_0401', 'micro')]
    assert (rows[1]['apex'], rows[1]['offset']) == (703, 703)  # offset 0
    assert rows[2]['apex'] == 805  # apex 0: the middle
    assert rows[0]['action_units'] == 'AU4+AU9'
    assert rows[0]['emotion'] == 'disgust' and rows[0]['subject'] == 's15'


def test_casme2_unknown_names_are_refused(tmp_path):
    path = str(tmp_path / 'code.xlsx')
    casme2_sheet(path, [[2, 'disgust1_1', 1, 2, 3, '', '', 'micro', '']])
    with pytest.raises(ValueError, match='row 1: subject 2 is not in naming'):
        read_casme2_long_sheet(path)
    casme2_sheet(path, [[1, 'fear1_1', 1, 2, 3, '', '', 'micro', '']])
    with pytest.raises(ValueError, match="stimulus 'fear1'"):
        read_casme2_long_sheet(path)


def test_video_folders_are_found_by_prefix(tmp_path):
    (tmp_path / 's15' / '15_0101disgustingteeth').mkdir(parents=True)
    (tmp_path / 's15' / '15_0102eatingworms').mkdir()
    assert find_video_folder(str(tmp_path), 's15', '15_0101') == \
        '15_0101disgustingteeth'
    with pytest.raises(FileNotFoundError, match='2 video folders'):
        find_video_folder(str(tmp_path), 's15', '15_01')


def test_samm_rows_after_the_notes(tmp_path):
    path = str(tmp_path / 'samm.xlsx')
    wb = Workbook()
    ws = wb.active
    ws.title = 'FACS_Movement_Only'
    for i in range(9):
        ws.append([f'note {i}'])
    ws.append(['Subject', 'Filename', 'Inducement Code', 'Onset', 'Apex',
               'Offset', 'Duration', 'Type', 'Action Units', 'Notes'])
    ws.append(['006', '006_1_2', 1, 566, 648, 743, 178, 'Macro', '12', ''])
    ws.append([6, '006_1_3', 1, 3562, 3588, 0, 0, 'Micro - 1/2', '4', ''])
    wb.save(path)
    rows = read_samm_long_sheet(path)
    assert [(r['subject'], r['video'], r['type']) for r in rows] == [
        ('006', '006_1', 'macro'), ('006', '006_1', 'micro')]
    assert rows[1]['offset'] == 3588
    ws.cell(row=10, column=1, value='Who')
    wb.save(path)
    with pytest.raises(ValueError, match='row 10 is not the SAMM header'):
        read_samm_long_sheet(path)
