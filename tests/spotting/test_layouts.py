"""The long-video layouts of CAS(ME)^2 and SAMM."""
import pytest

from mmaction_tsfmicro.annotations.layouts import (filename_tmpl, frame_dir,
                                                   frame_path)
from mmaction_tsfmicro.spotting.layouts import (LONG_VIDEO_LAYOUTS,
                                                get_long_layout, stimulus_code)


def test_casme2_long_layout_names_folders_as_the_release():
    layout = get_long_layout('casme2')
    assert layout is LONG_VIDEO_LAYOUTS['casme2_long'] and layout.fps == 30
    assert layout.subject_folder(15) == 's15'
    assert layout.video_folder(15, 1, 'disgustingteeth') == \
        '15_0101disgustingteeth'
    assert layout.video_folder(3, 2) == '03_0102demo2'
    assert stimulus_code(7) == '0107'
    assert frame_path(layout.frames, '/d', 's15', '15_0101disgustingteeth',
                      1) == '/d/rawpic/s15/15_0101disgustingteeth/img1.jpg'
    assert layout.micro_frames == (7, 16)


def test_samm_long_layout():
    layout = get_long_layout('samm_long')
    assert layout.subject_folder(6) == '006'
    assert layout.video_folder(6, 1) == '006_1'
    assert frame_path(layout.frames, '/d', '006', '006_1', 7) == \
        '/d/SAMM_longvideos/006_1/006_1_0007.jpg'
    assert filename_tmpl(layout.frames, '006', '006_1') == '006_1_{:04d}.jpg'
    assert frame_dir(layout.frames, '/d', '006', '006_1') == \
        '/d/SAMM_longvideos/006_1'
    assert layout.fps == 200 and layout.micro_frames == (47, 105)


def test_unknown_layout():
    with pytest.raises(KeyError, match='casme2_long, samm_long'):
        get_long_layout('smic')
