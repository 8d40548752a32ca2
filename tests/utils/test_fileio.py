"""Atomic writes: a reader sees the old file or the new one, and a failed
write leaves nothing behind."""
import os

import pytest

from mmaction_tsfmicro.utils.fileio import (atomic_dir, atomic_path,
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
