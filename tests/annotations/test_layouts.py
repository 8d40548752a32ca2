import os.path as osp

import pytest

from mmaction_tsfmicro.annotations.layouts import (LAYOUTS, filename_tmpl,
                                                   frame_dir, frame_path,
                                                   get_template, list_frames)


@pytest.mark.parametrize('layout,subject,clip,frame,expected', [
    ('casme2', 'sub01', 'EP02_01f', 46, 'sub01/EP02_01f/img46.jpg'),
    ('casme2_cropped', 'sub01', 'EP02_01f', 46,
     'sub01/EP02_01f/reg_img46.jpg'),
    ('samm', '006', '006_1_2', 5562, '006/006_1_2/006_05562.jpg'),
    ('casme3', 'spNO.1', 'a', 0, 'spNO.1/a/color/0.jpg'),
])
def test_frame_path_of_each_dataset(layout, subject, clip, frame, expected):
    assert frame_path(layout, '/d', subject, clip, frame) == '/d/' + expected
    # frame_dir + filename_tmpl, as the dataset class uses them
    path = osp.join(frame_dir(layout, '/d', subject, clip),
                    filename_tmpl(layout, subject, clip).format(frame))
    assert path == '/d/' + expected


def test_filename_templates():
    assert filename_tmpl('casme2', 'sub01', 'EP01') == 'img{}.jpg'
    assert filename_tmpl('samm', '006', '006_1_2') == '006_{:05d}.jpg'
    assert filename_tmpl('casme3', 'spNO.1', 'a') == '{}.jpg'
    assert frame_dir('casme3', '/r', 'spNO.1', 'a') == '/r/spNO.1/a/color'
    # braces in a name are escaped, not taken for a field
    tmpl = filename_tmpl('{subject}_{clip}_{frame:03d}.png', 's{1}', 'c')
    assert tmpl.format(7) == 's{1}_c_007.png'


def test_list_frames_sorts_by_number_and_ignores_other_files(tmp_path):
    folder = tmp_path / '006' / '006_1_2'
    folder.mkdir(parents=True)
    for n in (12, 9, 100):
        (folder / f'006_{n:05d}.jpg').write_bytes(b'x')
    (folder / 'alignment.json').write_text('{}')
    (folder / '007_00001.jpg').write_bytes(b'x')  # another subject's name
    frames = list_frames('samm', str(tmp_path), '006', '006_1_2')
    assert [f for f, _ in frames] == [9, 12, 100]
    assert frames[0][1] == str(folder / '006_00009.jpg')
    with pytest.raises(FileNotFoundError,
                       match='clip folder not found: .*006/nope'):
        list_frames('samm', str(tmp_path), '006', 'nope')


def test_bad_layouts_are_refused():
    assert set(LAYOUTS) == {'casme2', 'casme2_cropped', 'samm', 'casme3'}
    with pytest.raises(KeyError, match="unknown frame layout 'smic'"):
        get_template('smic')
    with pytest.raises(ValueError, match=r"unknown fields \['video'\]"):
        get_template('{video}/{frame}.jpg')
    with pytest.raises(ValueError, match='must use {frame} in its file name'):
        get_template('{subject}/{frame}/x.jpg')


def test_guess_filename_tmpl(tmp_path):
    from mmaction_tsfmicro.annotations.layouts import guess_filename_tmpl
    for name in ('img46.jpg', 'img47.jpg', 'notes.txt'):
        (tmp_path / name).write_text('x')
    assert guess_filename_tmpl(str(tmp_path), 46) == 'img{}.jpg'
    samm = tmp_path / 'samm'
    samm.mkdir()
    (samm / '006_05562.jpg').write_text('x')
    assert guess_filename_tmpl(str(samm), 5562) == '006_{:05d}.jpg'
    (tmp_path / 'reg_img46.jpg').write_text('x')
    with pytest.raises(FileNotFoundError, match=r'several kinds of files '
                       r'\(img\{\}.jpg, reg_img\{\}.jpg\) numbered 46'):
        guess_filename_tmpl(str(tmp_path), 46)
    with pytest.raises(FileNotFoundError, match='no image file numbered 9'):
        guess_filename_tmpl(str(tmp_path), 9)
    with pytest.raises(FileNotFoundError, match='frame folder not found'):
        guess_filename_tmpl(str(tmp_path / 'none'), 1)
