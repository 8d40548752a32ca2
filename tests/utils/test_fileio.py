"""Atomic writes: a reader sees the old file or the new one, and a failed
write leaves nothing behind."""
import errno
import os

import pytest

from mmaction_tsfmicro.utils.fileio import (DiskFullError, OutputPathError,
                                            atomic_dir, atomic_path,
                                            check_output_path, no_space_left,
                                            read_json, remove_tree,
                                            write_bytes, write_json,
                                            write_text)


def test_write_creates_the_folder_and_replaces_the_file(tmp_path):
    path = tmp_path / 'new' / 'deeper' / 'out.json'
    write_json(str(path), dict(a=1))
    assert read_json(str(path)) == dict(a=1)
    write_json(str(path), [1, 2], indent=None)
    assert path.read_text() == '[1, 2]\n'
    write_text(str(tmp_path / 't.txt'), 'héllo')
    assert (tmp_path / 't.txt').read_text(encoding='utf-8') == 'héllo'
    write_bytes(str(tmp_path / 'b.bin'), b'\x00\x01')
    assert (tmp_path / 'b.bin').read_bytes() == b'\x00\x01'
    mode = os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / 'out.json'
    write_json(str(path), dict(old=True))
    with pytest.raises(ValueError, match='Out of range float'):
        write_json(str(path), dict(x=float('nan')))
    with pytest.raises(RuntimeError, match='boom'):
        with atomic_path(str(path)) as tmp:
            assert tmp.endswith('.tmp.json')  # the extension is kept
            with open(tmp, 'w') as f:
                f.write('half')
            raise RuntimeError('boom')
    assert read_json(str(path)) == dict(old=True)
    assert sorted(os.listdir(tmp_path)) == ['out.json']


def test_read_json_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.json: file not found'):
        read_json(str(tmp_path / 'nope.json'))
    (tmp_path / 'bad.json').write_text('{"a": ')
    with pytest.raises(ValueError, match=r'bad.json: not valid JSON '
                       r'\(Expecting value'):
        read_json(str(tmp_path / 'bad.json'))


def test_atomic_dir_swaps_in_whole_folders(tmp_path):
    out = tmp_path / 'clip'
    (tmp_path / '.clip.partial').mkdir()  # left by a killed run
    (tmp_path / '.clip.partial' / 'stale').write_text('x')
    with atomic_dir(str(out)) as tmp:
        assert os.listdir(tmp) == []  # the leftover was cleared
        (tmp_path / '.clip.partial' / 'a.jpg').write_text('1')
        assert not out.exists()
    assert os.listdir(out) == ['a.jpg']
    with atomic_dir(str(out)) as tmp:  # replaces the old folder
        open(os.path.join(tmp, 'b.jpg'), 'w').close()
    assert os.listdir(out) == ['b.jpg']
    with pytest.raises(KeyError):
        with atomic_dir(str(out)) as tmp:
            open(os.path.join(tmp, 'c.jpg'), 'w').close()
            raise KeyError('fail')
    assert os.listdir(out) == ['b.jpg']  # the old folder is kept
    assert sorted(os.listdir(tmp_path)) == ['clip']


def test_remove_tree(tmp_path):
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'f').write_text('x')
    (tmp_path / 'f').write_text('x')
    remove_tree(str(tmp_path / 'd'))
    remove_tree(str(tmp_path / 'f'))
    remove_tree(str(tmp_path / 'missing'))
    assert os.listdir(tmp_path) == []


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, 'No space left on device')


def test_a_full_disk_is_one_error_naming_the_folder(tmp_path, monkeypatch):
    path = tmp_path / 'out' / 'a.json'
    write_json(str(path), dict(old=1))
    monkeypatch.setattr(os, 'replace', _full_disk)
    with pytest.raises(DiskFullError) as err:
        write_json(str(path), dict(new=1))
    assert str(err.value) == (
        f"{tmp_path / 'out'}: no space left on the device (free some space "
        'and run the same command again; what was finished is kept)')
    assert not isinstance(err.value, OSError)  # item handlers let it pass
    assert read_json(str(path)) == dict(old=1)
    assert os.listdir(tmp_path / 'out') == ['a.json']
    monkeypatch.undo()
    with pytest.raises(DiskFullError, match=f'^{tmp_path}: no space'):
        with atomic_dir(str(tmp_path / 'clip')) as work:
            with open(os.path.join(work, 'x'), 'w'):
                _full_disk()
    assert sorted(os.listdir(tmp_path)) == ['out']
    # other errors stay what they are
    with pytest.raises(PermissionError):
        with atomic_path(str(tmp_path / 'b.txt')):
            raise PermissionError(errno.EACCES, 'denied')


def test_output_paths_are_checked_before_the_work(tmp_path):
    (tmp_path / 'file').write_text('x')
    with pytest.raises(OutputPathError, match='^--out-dir .*file: is a file, '
                       'not a directory$'):
        check_output_path(str(tmp_path / 'file'), folder=True,
                          option='--out-dir')
    with pytest.raises(OutputPathError, match='is a directory, not a file'):
        check_output_path(str(tmp_path), option='--out')
    with pytest.raises(OutputPathError, match='is a file, so the output '
                       'folder'):
        check_output_path(str(tmp_path / 'file' / 'x.json'))
    check_output_path(str(tmp_path / 'new' / 'deeper' / 'x.json'))
    check_output_path(str(tmp_path / 'new'), folder=True)
    assert not (tmp_path / 'new').exists()  # checked, not made
    assert no_space_left(str(tmp_path / 'missing' / 'deeper'), 1 << 70)
    assert not no_space_left(str(tmp_path), 1)


def test_an_output_of_the_wrong_kind_is_refused_by_its_ending(tmp_path):
    with pytest.raises(OutputPathError) as err:
        check_output_path(str(tmp_path / 'v.GIF'), option='--out-video',
                          suffixes=('.avi', '.mp4'), what='the video')
    assert str(err.value) == (f"--out-video {tmp_path / 'v.GIF'}: the video "
                              'must end with .avi or .mp4')
    with pytest.raises(OutputPathError, match=r'must end with \.json \(the '
                       r'CSV goes beside it\)$'):
        check_output_path(str(tmp_path / 's.csv'), suffixes=('.json', ),
                          why='the CSV goes beside it')
    # any case of an allowed ending
    check_output_path(str(tmp_path / 'v.MP4'), suffixes=('.avi', '.mp4'))
