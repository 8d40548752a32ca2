"""tools/stream.py end to end: a spotter trained here on generated long
videos streams a held-out one; its mistakes are one line."""
import csv
import json
import os
import os.path as osp
import runpy
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from conftest import REPO_ROOT, run_script
from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import LongVideoConfig

TOOL = osp.join(REPO_ROOT, 'tools', 'stream.py')
DEMO = osp.join(REPO_ROOT, 'configs', 'spotting',
                'spotter_tsfmicro-seq_1xb8-10e_demo-long.py')
#: The demo config at 32 px with a tiny model, one epoch on s01.
TINY = """
_base_ = [{demo!r}]
face_alignment = dict(size=32)
model = dict(
    backbone=dict(stem_channels=(4, 8), stem_strides=(2, 2), grid_size=2,
                  embed_dims=16, depth=1, num_heads=2),
    head=dict(in_channels=16, hidden_channels=8))
train_pipeline = _base_.train_pipeline
train_pipeline[1].scale = (32, 32)
test_pipeline = _base_.test_pipeline
test_pipeline[1].scale = (32, 32)
train_dataloader = dict(batch_size=4, num_workers=0, dataset=dict(
    ann_file={ann!r}, data_prefix=dict(img={root!r}), clip_len=16, stride=8,
    exclude_subjects=['s02'], pipeline=train_pipeline))
test_dataloader = dict(num_workers=0, dataset=dict(
    ann_file={ann!r}, data_prefix=dict(img={root!r}), test_subjects=['s02'],
    pipeline=test_pipeline))
train_cfg = dict(max_epochs=1)
param_scheduler = []
default_hooks = dict(checkpoint=dict(interval=1))
"""


def run(*args, tool=TOOL, timeout=300):
    """The tool in a fresh process (for what it does before loading the
    model)."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, tool, *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          cwd=REPO_ROOT, env=env)


def run_here(monkeypatch, capsys, *args, tool=TOOL):
    """The tool in this process (the plugin is loaded already): its exit
    code and output."""
    return run_script(tool, args, monkeypatch, capsys)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Generated long videos of two faces, aligned, and a spotter trained
    one epoch on the first face (a few seconds)."""
    tmp = tmp_path_factory.mktemp('stream')
    raw = str(tmp / 'raw')
    build_long_videos(raw, LongVideoConfig(
        seed=1, videos_per_subject=1, duration=(4.0, 4.0), frame_size=96,
        expressions=(2, 2), blinks_per_minute=(10, 10), min_gap=0.4,
        sources=('feat/0-f15-hao-ph.jpg', 'skimage/astronaut.png')),
        workers=1, log=None)
    aligned = str(tmp / 'aligned')
    config = str(tmp / 'tiny.py')
    with open(config, 'w') as f:
        f.write(TINY.format(demo=DEMO, ann=osp.join(aligned, 'spotting.json'),
                            root=aligned))
    with pytest.MonkeyPatch.context() as mp:
        for tool, args in (
                ('tools/data/align_long_videos.py',
                 [osp.join(raw, 'spotting.json'), raw, aligned, '--config',
                  config]),
                ('tools/train.py', [config, '--work-dir', str(tmp / 'work'),
                                    '--cfg-options',
                                    'experiment_name=stream_tiny'])):
            mp.setattr(sys, 'argv', [tool] + args)
            mp.chdir(REPO_ROOT)
            runpy.run_path(osp.join(REPO_ROOT, tool), run_name='__main__')
    work = str(tmp / 'work')
    video = osp.join(raw, 'rawvideo', 's02', '02_0101demo1.avi')
    frames = int(cv2.VideoCapture(video).get(cv2.CAP_PROP_FRAME_COUNT))
    return dict(config=config, ckpt=osp.join(work, 'epoch_1.pth'),
                video=video, frames=frames, tmp=tmp)


def check_spans(spans, frames):
    for i, span in enumerate(spans, 1):
        assert span['number'] == i
        assert 0 <= span['onset'] <= span['offset'] < frames
        assert span['length'] == span['offset'] - span['onset'] + 1
        assert span['emotion'] in ('happiness', 'disgust', 'repression',
                                   'surprise', 'others')
        assert len(span['class_scores']) == 5
        assert 0 <= span['score'] <= 1


def test_a_held_out_video_streams_to_json_csv_and_video(
        trained, monkeypatch, capsys):
    out = trained['tmp'] / 'out' / 'spans.json'
    code, stdout, err = run_here(monkeypatch, capsys, trained['config'],
                                 trained['ckpt'], trained['video'], '--out',
                                 out)
    assert code == 0, err
    record = json.loads(out.read_text())
    assert record['frames'] == trained['frames']
    assert record['first_face_frame'] == 0 and record['fps'] == 30.0
    assert record['face_alignment']['size'] == 32
    assert set(record['span_finder']) == {'threshold', 'merge_gap',
                                          'min_length', 'max_length',
                                          'smooth'}
    check_spans(record['spans'], trained['frames'])
    rows = list(csv.reader(open(out.with_suffix('.csv'))))
    assert rows[0] == ['number', 'onset', 'offset', 'length', 'onset_time',
                       'offset_time', 'score', 'emotion', 'class_score']
    assert len(rows) == 1 + len(record['spans'])
    summary = stdout.strip().splitlines()[-2]
    assert summary.startswith(f"{trained['frames']} frames "
                              f"({trained['frames']} with a face), "
                              f"{len(record['spans'])} spans")
    # with every frame on, one span holds the whole video: it is printed,
    # written and drawn
    out2 = trained['tmp'] / 'all.json'
    drawn = trained['tmp'] / 'drawn.avi'
    code, stdout, err = run_here(
        monkeypatch, capsys, trained['config'], trained['ckpt'],
        trained['video'], '--out', out2, '--out-video', drawn, '--threshold',
        0, '--min-length', 1, '--max-length', 100000)
    assert code == 0, err
    (span, ) = json.loads(out2.read_text())['spans']
    assert (span['onset'], span['offset']) == (0, trained['frames'] - 1)
    assert stdout.startswith(f"span 1: frames 0-{trained['frames'] - 1}")
    cap = cv2.VideoCapture(str(drawn))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == trained['frames']
    ok, frame = cap.read()
    assert ok and frame[1, frame.shape[1] // 2, 2] > 200  # the red border


def test_mistakes_are_one_line(trained, tmp_path, monkeypatch, capsys):
    text = tmp_path / 'notes.avi'
    text.write_text('not a video')
    blank = tmp_path / 'blank.avi'
    writer = cv2.VideoWriter(str(blank), cv2.VideoWriter_fourcc(*'MJPG'), 30,
                             (64, 64))
    for _ in range(5):
        writer.write(np.zeros((64, 64, 3), np.uint8))
    writer.release()
    cases = [
        ([trained['config'], trained['ckpt'], tmp_path / 'none.avi'],
         f"{tmp_path / 'none.avi'}: video not found"),
        ([trained['config'], tmp_path / 'x.pth', trained['video']],
         f"{tmp_path / 'x.pth'}: checkpoint not found"),
        ([trained['config'], trained['ckpt'], text],
         f'{text}: cannot read the video (not a video file OpenCV can '
         'decode, or cut short)'),
        ([trained['config'], trained['ckpt'], trained['video'], '--out',
          text / 'spans.json'],
         f"--out {text / 'spans.json'}: {text} is a file, so the output "
         f'folder {text} cannot be made'),
        ([trained['config'], trained['ckpt'], trained['video'], '--out',
          tmp_path], f'--out {tmp_path}: the spans file must end with .json '
         '(the CSV goes beside it)'),
        ([trained['config'], trained['ckpt'], trained['video'],
          '--out-video', tmp_path / 'v.gif'],
         f"--out-video {tmp_path / 'v.gif'}: the video must end with .avi "
         'or .mp4'),
        ([trained['config'], trained['ckpt'], 97],
         'camera 97 does not open (no camera with that index, or it is in '
         'use)'),
    ]
    for args, message in cases:  # refused before the model is loaded
        proc = run(*args)
        assert proc.returncode == 2, proc.stderr
        # the one line only: no FFmpeg or MediaPipe lines before it
        assert proc.stderr == f'stream.py: error: {message}\n'
    code, _, err = run_here(monkeypatch, capsys, trained['config'],
                            trained['ckpt'], blank, '--out-video',
                            tmp_path / 'b.avi')
    assert code == 2
    assert err.strip().splitlines()[-1] == \
        f'stream.py: error: {blank}: no face found in 5 frames'
    assert not (tmp_path / 'b.avi').exists()  # nothing half written
    # a video cut short is not taken for a whole one: one line, nothing
    # written
    data = open(trained['video'], 'rb').read()
    cut = tmp_path / 'cut.avi'
    cut.write_bytes(data[:len(data) // 2])
    code, _, err = run_here(monkeypatch, capsys, trained['config'],
                            trained['ckpt'], cut, '--out',
                            tmp_path / 'c.json', '--out-video',
                            tmp_path / 'c.avi', '--quiet')
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f'stream.py: error: {cut}: the video ends '
                               'after ')
    assert lines[0].endswith(f" of the {trained['frames']} frames its "
                             'header gives (cut short or damaged); copy it '
                             'again')
    assert sorted(os.listdir(tmp_path)) == ['blank.avi', 'cut.avi',
                                            'notes.avi']


def test_help_is_fast():
    t0 = time.perf_counter()
    proc = run('--help')
    assert proc.returncode == 0 and 'camera index' in proc.stdout
    assert time.perf_counter() - t0 < 3
    code = ('import runpy, sys; sys.argv = ["stream.py", "--help"]\n'
            'try:\n    runpy.run_path(sys.argv[0] if False else '
            f'{TOOL!r}, run_name="__main__")\n'
            'except SystemExit:\n    pass\n'
            'print(sorted(m for m in ("torch", "mmaction", "mmengine") '
            'if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, cwd=REPO_ROOT).stdout
    assert out.strip().splitlines()[-1] == '[]'
