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
         'give the apex frame (apex=N or apex_time=S)'),
    ]
    for args, message in cases:
        proc = run(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f'infer.py: error: {message}\n'
