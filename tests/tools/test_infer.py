"""tools/infer.py as users run it."""
import glob
import json
import os.path as osp
import subprocess
import sys

from conftest import REPO_ROOT
from tsfmicro_synthesis.clip_video import write_clip_video

TOOL = osp.join(REPO_ROOT, 'tools', 'infer.py')


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          cwd=REPO_ROOT)


def test_a_raw_video_with_the_released_model(tmp_path):
    video = tmp_path / 'clip.mp4'
    clip = write_clip_video(str(video), 'feat/0-f1-su-ph.jpg', 'disgust',
                            3004)
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    out = tmp_path / 'result' / 'r.json'
    proc = run('-', release, video, '--onset', clip['onset'], '--apex',
               clip['apex'], '--out', out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''  # quiet: no MediaPipe start-up lines
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 7  # 5 classes, the prediction, the file
    result = json.loads(out.read_text())
    assert lines[5] == (f"predicted: {result['predicted']} "
                        f"({result['scores'][result['predicted']]:.4f})")
    assert sorted(result['scores']) == sorted(
        ['happiness', 'disgust', 'repression', 'surprise', 'others'])
    assert result['source']['onset'] == clip['onset']


def test_mistakes_are_one_line(tmp_path):
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    cases = [
        (['-', release, tmp_path / 'none.mp4', '--onset', 1, '--apex', 2],
         f"{tmp_path / 'none.mp4'}: video not found"),
        (['-', tmp_path / 'x.pth', tmp_path, '--onset', 1, '--apex', 2],
         f"{tmp_path / 'x.pth'}: checkpoint not found"),
        (['-', release, tmp_path / 'a.txt'], f"{tmp_path / 'a.txt'}: not "
         'found'),
        (['-', release, tmp_path, '--onset', 3],
         f'{tmp_path}: no numbered image file'),
        (['-', release, tmp_path, '--onset-time', 0.1, '--apex', 3],
         f'{tmp_path}: a frame folder takes --onset and --apex (frame '
         'numbers of its file names), not times'),
    ]
    for args, message in cases:
        proc = run(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f'infer.py: error: {message}\n'


def test_a_clip_without_an_apex(tmp_path):
    """A video given as one clip: the apex estimated near the rendered
    one, the same answer as with the key frames given."""
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    video = tmp_path / 'clip.mp4'
    clip = write_clip_video(str(video), 'feat/0-f1-su-ph.jpg', 'disgust',
                            3004)
    out = tmp_path / 'r.json'
    proc = run('-', release, video, '--whole-clip', '--out', out)
    assert proc.returncode == 0, proc.stderr
    source = json.loads(out.read_text())['source']
    assert source['onset'] == 0 and source['apex_estimated']
    assert abs(source['apex'] - clip['apex']) <= 4
    assert proc.stdout.splitlines()[0] == (
        f"key frames: onset 0, apex {source['apex']} (estimated)")
    assert json.loads(out.read_text())['predicted'] == 'disgust'
    given = run('-', release, video, '--onset', 0, '--apex', source['apex'])
    assert given.stdout.splitlines()[:6] == proc.stdout.splitlines()[1:7]


def test_bad_videos_and_key_frames_are_one_line(tmp_path):
    """A damaged or cut-short video, a video without a face, key frames in
    the wrong order: one line naming the video and the frames as the
    options gave them, nothing else on stderr, nothing written."""
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    import cv2
    import numpy as np
    video = tmp_path / 'clip.mp4'
    clip = write_clip_video(str(video), 'feat/0-f1-su-ph.jpg', 'disgust',
                            3004)
    data = video.read_bytes()
    (tmp_path / 'half.mp4').write_bytes(data[:len(data) // 2])
    cap = cv2.VideoCapture(str(video))
    avi = tmp_path / 'clip.avi'
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter_fourcc(*'MJPG'), 30,
                             (int(cap.get(3)), int(cap.get(4))))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        writer.write(frame)
    writer.release()
    data = avi.read_bytes()
    (tmp_path / 'half.avi').write_bytes(data[:len(data) // 2])
    blank = tmp_path / 'blank.avi'
    writer = cv2.VideoWriter(str(blank), cv2.VideoWriter_fourcc(*'MJPG'), 30,
                             (96, 96))
    for i in range(10):
        writer.write(np.full((96, 96, 3), 10 * i, np.uint8))
    writer.release()
    folder = tmp_path / 'frames'
    folder.mkdir()
    out = tmp_path / 'out' / 'r.json'
    n = clip['num_frames']
    cases = [
        ([tmp_path / 'half.mp4', '--onset', 1, '--apex', 9],
         f"{tmp_path / 'half.mp4'}: cannot read the video (not a video file "
         'OpenCV can decode, or cut short)'),
        ([tmp_path / 'half.avi', '--onset', 1, '--apex', n - 2],
         f"{tmp_path / 'half.avi'}: the video ends after "),
        ([blank, '--onset', 1, '--apex', 5],
         f'{blank}: no face found on the onset (frame 1)'),
        ([video, '--onset', 5, '--apex', 5],
         f'{video}: the apex (frame 5) must come after the onset (frame 5); '
         'they are the same frame'),
        ([folder, '--onset', 9, '--apex', 4],
         f'{folder}: the apex (frame 4) must come after the onset (frame '
         '9)'),
        ([video, '--onset', 3, '--max-head-motion', 1, '--threshold', 0.5],
         '--threshold applies to a video searched for micro-expressions'),
    ]
    for args, message in cases:
        proc = run('-', release, *args, '--out', out)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f'infer.py: error: {message}')
        assert proc.stderr.count('\n') == 1, proc.stderr
    assert not (tmp_path / 'out').exists()
