"""tools/visualizations/visualize.py as users run it: the pictures it writes and its
one-line errors."""
import json
import os
import os.path as osp
import runpy
import subprocess
import sys

import cv2
import pytest
import torch
from conftest import REPO_ROOT
from mmengine.config import Config

from mmaction_tsfmicro.explain.inputs import load_model
from mmaction_tsfmicro.loso import build_fold_config

TINY = osp.join('tests', 'data', 'configs', 'tiny_synthetic.py')


def data_options(data):
    return [
        f"{split}.dataset.{key}={value}"
        for split in ('train_dataloader', 'test_dataloader')
        for key, value in (('ann_file', data['ann_file']),
                           ('data_prefix.img', data['root']))
    ]


def tiny_config(data):
    cfg = Config.fromfile(osp.join(REPO_ROOT, TINY))
    cfg.merge_from_dict(dict(o.split('=', 1) for o in data_options(data)))
    return cfg


@pytest.fixture(scope='module')
def checkpoint(synthetic_data, tmp_path_factory):
    """Random weights of the tiny model (the tool's plumbing is tested, not
    the model)."""
    torch.manual_seed(0)
    model = load_model(tiny_config(synthetic_data), None, 'cpu')
    path = tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return str(path)


@pytest.fixture(scope='module')
def loso_dir(synthetic_data, checkpoint, tmp_path_factory):
    """A finished-looking LOSO work dir: the plan and two folds, each with
    the fold config tools/loso.py writes and a last checkpoint."""
    root = tmp_path_factory.mktemp('loso')
    cfg = tiny_config(synthetic_data)
    subjects = ['sub01', 'sub02', 'sub03']
    (root / 'loso_plan.json').write_text(json.dumps(dict(subjects=subjects)))
    state = torch.load(checkpoint, map_location='cpu')
    for subject in subjects[:2]:
        folder = root / f'fold_{subject}'
        fold_cfg = build_fold_config(cfg, subject, str(folder), seed=0)
        folder.mkdir()
        fold_cfg.dump(str(folder / 'fold_config.py'))
        torch.save(state, str(folder / 'epoch_2.pth'))
    return str(root)


def run_tool(args, monkeypatch, capsys):
    """Run tools/visualizations/visualize.py as ``python tools/visualizations/visualize.py`` would, in
    this process; return its exit status, stdout and stderr."""
    monkeypatch.setattr(sys, 'argv',
                        ['tools/visualizations/visualize.py'] + [str(a) for a in args])
    monkeypatch.chdir(REPO_ROOT)
    capsys.readouterr()
    code = 0
    try:
        runpy.run_path(osp.join(REPO_ROOT, 'tools', 'visualizations', 'visualize.py'),
                       run_name='__main__')
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(code, err):
    assert code == 2, err
    assert 'Traceback' not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith('visualize.py: error: ')
    return lines[0][len('visualize.py: error: '):]


def test_gradcam_writes_a_picture_per_sample(synthetic_data, checkpoint,
                                             tmp_path, monkeypatch, capsys):
    out = tmp_path / 'maps'
    code, stdout, err = run_tool([
        'gradcam', TINY, checkpoint, '--sample', 'sub02/EP01_00',
        '--sample', 'sub03/EP04_00', '--out', out, '--steps', '2',
        '--device', 'cpu', '--cfg-options', *data_options(synthetic_data)
    ], monkeypatch, capsys)
    assert code == 0, err
    assert sorted(os.listdir(out)) == ['sub02_EP01_00.png',
                                       'sub03_EP04_00.png']
    assert cv2.imread(str(out / 'sub02_EP01_00.png')).shape == (480, 800, 3)
    lines = stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f'{out / "sub02_EP01_00.png"}: '
                               'sub02/EP01_00, true disgust, predicted ')


def test_tsne_writes_the_picture_of_a_fold(loso_dir, tmp_path):
    """A real process, as a user types it."""
    out = tmp_path / 'tsne.png'
    proc = subprocess.run(
        [sys.executable, 'tools/visualizations/visualize.py', 'tsne', loso_dir, '--out',
         str(out), '--fold', 'sub02', '--seed', '1'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert cv2.imread(str(out)).shape == (680, 800, 3)
    assert proc.stdout.strip() == (
        f'{out}: 15 samples embedded with the model of fold sub02 '
        f'({osp.join(loso_dir, "fold_sub02", "epoch_2.pth")}); 5 of them '
        'held out (sub02)')


@pytest.mark.parametrize('sample, message', [
    ('sub02/EP09_00', "unknown sample 'sub02/EP09_00': subject sub02 has "
     'the clips EP00_00, EP01_00, EP02_00, EP03_00, EP04_00'),
    ('sub09/EP00_00', "unknown subject 'sub09' in test_subjects; known "
     'subjects: sub01, sub02, sub03'),
    ('EP00_00', "a sample is SUBJECT/CLIP (e.g. sub01/EP02_01), got "
     "'EP00_00'"),
])
def test_an_unknown_sample_is_one_line(sample, message, synthetic_data,
                                       checkpoint, tmp_path, monkeypatch,
                                       capsys):
    code, _, err = run_tool([
        'gradcam', TINY, checkpoint, '--sample', sample, '--out', tmp_path,
        '--cfg-options', *data_options(synthetic_data)
    ], monkeypatch, capsys)
    assert one_line_error(code, err).endswith(message)
    assert not os.listdir(tmp_path)


def test_gradcam_mistakes_are_one_line(synthetic_data, checkpoint, tmp_path,
                                       monkeypatch, capsys):
    base = ['gradcam', TINY, checkpoint, '--sample', 'sub01/EP00_00',
            '--out', tmp_path]
    options = ['--cfg-options', *data_options(synthetic_data)]
    code, _, err = run_tool(base + ['--target-class', 'fear'] + options,
                            monkeypatch, capsys)
    assert one_line_error(code, err) == (
        "unknown class 'fear'; the classes: happiness, disgust, repression, "
        'surprise, others')
    code, _, err = run_tool(
        ['gradcam', TINY, tmp_path / 'none.pth', '--sample',
         'sub01/EP00_00', '--out', tmp_path] + options, monkeypatch, capsys)
    assert one_line_error(code, err) == (
        f"{tmp_path / 'none.pth'}: checkpoint not found")
    code, _, err = run_tool(['gradcam', 'none.py', checkpoint, '--sample',
                             'a/b', '--out', tmp_path], monkeypatch, capsys)
    assert one_line_error(code, err) == 'none.py: config file not found'
    code, _, err = run_tool(['gradcam', TINY, checkpoint, '--out', tmp_path],
                            monkeypatch, capsys)
    assert code == 2
    assert err.strip() == (
        'visualize.py gradcam: error: one of the arguments --sample --clip '
        'is required (see visualize.py gradcam --help)')


def test_tsne_mistakes_are_one_line(loso_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / 't.png'
    code, _, err = run_tool(['tsne', loso_dir, '--out', out, '--fold',
                             'sub09'], monkeypatch, capsys)
    assert one_line_error(code, err) == (
        "no fold of subject 'sub09'; the folds: sub01, sub02")
    code, _, err = run_tool(['tsne', tmp_path, '--out', out], monkeypatch,
                            capsys)
    assert one_line_error(code, err) == (
        f'{tmp_path}: not a LOSO work dir (no loso_plan.json)')
    code, _, err = run_tool(['tsne', loso_dir, '--out', tmp_path / 't.jpg'],
                            monkeypatch, capsys)
    assert one_line_error(code, err).startswith(
        f"--out {tmp_path / 't.jpg'}: the picture must end with .png")
    code, _, err = run_tool(['cluster', loso_dir], monkeypatch, capsys)
    assert "invalid choice: 'cluster'" in one_line_error(code, err)
    assert not os.listdir(tmp_path)


def test_gradcam_explains_a_video_and_a_pair(tmp_path, monkeypatch,
                                             capsys):
    """A clip in no annotation file: the released model on a rendered
    video, its apex estimated or given, and on two images."""
    import glob

    from tsfmicro_synthesis.clip_video import write_clip_video
    (release, ) = glob.glob(osp.join(
        REPO_ROOT, 'checkpoints', 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    video = tmp_path / 'clip.mp4'
    truth = write_clip_video(str(video), 'feat/0-f1-su-ph.jpg', 'disgust',
                             3004)
    out = tmp_path / 'maps'
    code, stdout, err = run_tool([
        'gradcam', '-', release, '--clip', video, '--out', out, '--steps',
        '2', '--device', 'cpu'], monkeypatch, capsys)
    assert code == 0, err
    (png, ) = os.listdir(out)
    onset, apex = map(int, png[len('clip_'):-len('.png')].split('-'))
    assert onset == 0 and abs(apex - truth['apex']) <= 4
    assert stdout.strip() == (f'{out / png}: clip_{onset}-{apex}, '
                              'predicted disgust (p=' +
                              stdout.split('(p=')[1].split(')')[0] +
                              '), maps for disgust')
    assert cv2.imread(str(out / png)).shape == (480, 800, 3)
    code, stdout, err = run_tool([
        'gradcam', '-', release, '--clip', video, '--onset', truth['onset'],
        '--apex', truth['apex'], '--out', out, '--steps', '2', '--device',
        'cpu', '--target-class', 'happiness'], monkeypatch, capsys)
    assert code == 0, err
    name = f"clip_{truth['onset']}-{truth['apex']}_happiness.png"
    assert (out / name).is_file() and stdout.endswith(
        'maps for happiness\n')
    # the pair it used, as two aligned images
    from mmaction_tsfmicro.preprocessing.video import read_frames_at
    for role, frame in zip(('onset', 'apex'), read_frames_at(
            str(video), [truth['onset'], truth['apex']])):
        cv2.imwrite(str(tmp_path / f'{role}.png'), frame)
    code, stdout, err = run_tool([
        'gradcam', '-', release, '--clip', tmp_path / 'onset.png',
        tmp_path / 'apex.png', '--out', out, '--steps', '2', '--device',
        'cpu'], monkeypatch, capsys)
    assert code == 0, err
    assert (out / 'pair_onset.png').is_file()
    assert stdout.startswith(f"{out / 'pair_onset.png'}: pair_onset, "
                             'predicted ')
    # mistakes, in one line
    code, _, err = run_tool(['gradcam', '-', release, '--sample', 'a/b',
                             '--out', out], monkeypatch, capsys)
    assert one_line_error(code, err) == (
        '--onset, --apex and the config "-" go with --clip (see '
        'visualize.py --help)')
    code, _, err = run_tool(['gradcam', '-', release, '--clip',
                             tmp_path / 'none.mp4', '--out', out],
                            monkeypatch, capsys)
    assert one_line_error(code, err) == f"{tmp_path / 'none.mp4'}: not found"
