"""tools/data/make_demo_dataset.py as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import cv2
from tsfmicro_synthesis import DemoConfig

from mmaction_tsfmicro.utils.modules import load_script

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'make_demo_dataset.py'


def _tool_module():
    return load_script(str(TOOL))


def test_defaults_are_the_library_defaults():
    args = _tool_module().parse_args(['--out', 'x'])
    d = DemoConfig()
    assert (args.seed, args.subjects, args.clips_per_class, args.frame_size,
            tuple(args.clip_frames), tuple(args.amplitude),
            args.jpeg_quality) == (d.seed, d.subjects, d.clips_per_class,
                                   d.frame_size, d.clip_frames, d.amplitude,
                                   d.jpeg_quality)
    assert d.clips_per_class == 3 and d.subjects is None


def test_refusal_is_one_line_and_status_2(tmp_path, capsys):
    (tmp_path / 'keep.txt').write_text('x')
    status = _tool_module().main(['--out', str(tmp_path), '--quiet'])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and ': error: ' in err[0]
    assert 'holds no demo manifest' in err[0]


def test_command_line_run_with_figures(tmp_path):
    out, figs = tmp_path / 'demo', tmp_path / 'figs'
    proc = subprocess.run(
        [sys.executable, str(TOOL), '--out', str(out), '--subjects', '1',
         '--clips-per-class', '1', '--clip-frames', '9', '10',
         '--frame-size', '64', '--seed', '3', '--workers', '1',
         '--figures', str(figs)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '1 subjects: sub01=feat/single_face.mp4' in proc.stdout
    manifest = json.loads((out / 'manifest.json').read_text())
    assert manifest['options']['seed'] == 3
    assert len(manifest['subjects'][0]['clips']) == 5
    frames = cv2.imread(str(figs / 'demo_frames.png'))
    diff = cv2.imread(str(figs / 'demo_apex_minus_onset.png'))
    assert frames.shape == (5 * 104, 4 * 104, 3)
    assert diff.shape == (144, 48 + 5 * 144, 3)
    # a re-run with the same options has nothing left to do
    again = subprocess.run(
        [sys.executable, str(TOOL), '--out', str(out), '--subjects', '1',
         '--clips-per-class', '1', '--clip-frames', '9', '10',
         '--frame-size', '64', '--seed', '3', '--workers', '1'],
        capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert 'already complete, skipped: sub01' in again.stdout
