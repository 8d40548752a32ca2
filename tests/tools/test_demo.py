"""tools/demo.py (what `make demo` runs), end to end on a small demo set."""
import json
import os
import re
import subprocess
import sys

from conftest import REPO_ROOT


def test_demo_runs_every_step_and_reports(tmp_path):
    data, work = tmp_path / 'demo', tmp_path / 'loso'
    cmd = [
        sys.executable, 'tools/demo.py', '--data-dir', str(data),
        '--work-dir', str(work), '--subjects', '3', '--clips-per-class', '1',
        '--jobs', '1', '--cfg-options', 'train_cfg.max_epochs=2',
        'train_dataloader.batch_size=8'
    ]
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True,
                          env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for step in ('demo data set', 'annotations from the CASME II coding '
                 'sheet', 'face alignment', 'leave-one-subject-out'):
        assert f'==> {step}' in out
    report = json.loads((work / 'loso_report.json').read_text())
    assert report['num_folds'] == 3 and report['num_samples'] == 15
    line = re.search(r'Pooled over 3 folds, 15 clips: UF1 (\S+)  UAR (\S+)  '
                     r'accuracy (\S+)', out)
    assert line, out[-2000:]
    assert float(line.group(1)) == round(report['uf1'], 4)
    assert float(line.group(3)) == round(report['acc'], 4)
    for name in ('loso_report.md', 'predictions.csv', 'confusion_matrix.png',
                 'per_subject.png'):
        assert (work / name).is_file(), name
    assert sorted(p.name for p in (data / 'faces112').iterdir()
                  if p.is_dir()) == ['sub01', 'sub02', 'sub03']
    assert 'say nothing about CASME II, SAMM or CAS(ME)^3' in out
    # the last step: a new clip as a video, classified by the released model
    clip = json.loads((data / 'unseen' / 'clip.mp4.json').read_text())
    result = json.loads((work / 'unseen_clip_result.json').read_text())
    assert set(result['scores']) == {'happiness', 'disgust', 'repression',
                                     'surprise', 'others'}
    assert abs(sum(result['scores'].values()) - 1) < 1e-4
    assert result['source']['alignment']['detector'] == 'mediapipe'
    assert (f"(true class {clip['emotion']}): predicted "
            f"{result['predicted']}") in out

    # a second run reuses everything: no fold is trained again
    again = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True,
                           text=True, env=env, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'fold sub01: started' not in again.stdout
    assert line.group(0) in again.stdout
