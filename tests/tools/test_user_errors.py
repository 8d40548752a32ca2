"""The mistakes users make, met by tools/train.py and tools/test.py: each is
one line on stderr naming the file, record, key or option, exit status 2,
no traceback."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from conftest import REPO_ROOT, run_script

from mmaction_tsfmicro.testing import make_synthetic_dataset

TINY = osp.join('tests', 'data', 'configs', 'tiny_synthetic.py')
CASME2 = osp.join('configs', 'tsfmicro', 'tsfmicro_retnet_1xb32-174e_casme2.py')


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('frames'))
    ann = make_synthetic_dataset(root, subjects=('sub01', 'sub02'),
                                 num_frames=5)
    return dict(root=root, ann=ann)


def options(ann, root):
    return [f'{split}.dataset.{key}={value}'
            for split in ('train_dataloader', 'test_dataloader')
            for key, value in (('ann_file', ann), ('data_prefix.img', root))]


def run_tool(tool, args, monkeypatch, capsys):
    """Run a tool as ``python tools/<tool>`` would, in this process."""
    code, _, err = run_script(osp.join(REPO_ROOT, 'tools', tool), args,
                              monkeypatch, capsys)
    return code, err


def one_line_error(code, err, tool):
    assert code == 2, err
    assert 'Traceback' not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f'{tool}: error: ')
    return lines[0][len(f'{tool}: error: '):]


def write(path, records, classes):
    path.write_text(json.dumps(dict(metainfo=dict(classes=classes),
                                    data_list=records)))
    return str(path)


def test_config_and_option_mistakes(monkeypatch, capsys, tmp_path):
    cases = [
        (['configs/nope.py'], 'configs/nope.py: config file not found'),
        ([TINY, '--cfg-options', 'train_cfg.max_epochs'],
         "argument --cfg-options: 'train_cfg.max_epochs' is not KEY=VALUE "
         '(e.g. train_cfg.max_epochs=2) (see train.py --help)'),
        ([TINY, '--cfg-options', 'model.backbone.arch.x=1'],
         "--cfg-options model.backbone.arch.x: model.backbone.arch is "
         "'tiny', not a dict, so it has no key 'x'"),
        ([CASME2, '--cfg-options', 'test_subject=sub02'],
         "--cfg-options test_subject='sub02': 'test_subject' is a variable "
         f'of {CASME2}, used when the file was read, so changing it now '
         'changes nothing; set the keys that hold its value instead: '
         'train_dataloader.dataset.exclude_subjects, '
         'test_dataloader.dataset.test_subjects'),
        ([CASME2, '--cfg-options', 'data_root=/my/casme2'],
         "--cfg-options data_root='/my/casme2': 'data_root' is a variable of "
         f'{CASME2}, used when the file was read, so changing it now changes '
         'nothing; set the keys that hold its value instead: '
         'train_dataloader.dataset.ann_file, '
         'train_dataloader.dataset.data_prefix.img, '
         'test_dataloader.dataset.ann_file, '
         'test_dataloader.dataset.data_prefix.img'),
        ([TINY, '--cfg-options', 'max_epoch=3'],
         "--cfg-options max_epoch=3: " + TINY + " has no key 'max_epoch'"),
        ([TINY, '--cfg-options', 'train_cfg.max_epochs=abc'],
         '--cfg-options train_cfg.max_epochs=abc: train_cfg.max_epochs takes '
         f"a number ({TINY} sets it to 2), not the text 'abc'"),
        ([TINY, '--cfg-options', 'optim_wrapper.optimizer.lr=1e-3x'],
         '--cfg-options optim_wrapper.optimizer.lr=1e-3x: '
         'optim_wrapper.optimizer.lr takes a number'),
    ]
    for args, message in cases:
        code, err = run_tool('train.py', args + ['--work-dir', tmp_path],
                             monkeypatch, capsys)
        assert one_line_error(code, err, 'train.py').startswith(message)
    assert not list(tmp_path.iterdir())  # refused before anything ran


def test_data_and_model_mistakes(data, monkeypatch, capsys, tmp_path):
    ann, root = data['ann'], data['root']
    with open(ann) as f:
        records = json.load(f)['data_list']
    bad_label = write(tmp_path / 'label.json',
                      [dict(records[0], label=9)], ['a', 'b'])
    bad_frames = write(tmp_path / 'frames.json',
                       [dict(records[0], apex=7, offset=5)], ['a'] * 1)
    cases = [
        (options(str(tmp_path / 'no.json'), root),
         f'{tmp_path / "no.json"}: file not found'),
        (options(ann, str(tmp_path / 'elsewhere')),
         f'{ann}: 5 of 5 samples lack frames; the first: sub02/EP00_00 '
         f"frame 1 ({tmp_path / 'elsewhere'}/sub02/EP00_00/img1.jpg); the "
         f"frame root '{tmp_path / 'elsewhere'}' does not exist"),
        (options(bad_label, root),
         f'{bad_label}: data_list[0] (casme2/sub01/EP00_00): label 9 '
         'outside 0..1'),
        (options(bad_frames, root),
         f'{bad_frames}: data_list[0] (casme2/sub01/EP00_00): frames must '
         'satisfy 0 < onset <= apex <= offset, got 1, 7, 5'),
        (options(ann, root) + ['model.backbone.drop_rate=0.1'],
         "TSFmicro.__init__() got an unexpected keyword argument "
         "'drop_rate'"),
        (options(ann, root) + ['model.cls_head.type=TSFHead'],
         'TSFHead is not in the mmaction::model registry.'),
        (options(ann, root) + [
            'test_dataloader.dataset.test_subjects=[sub02]'],
         "subject(s) ['sub02'] are in both the training and the test split"),
        (options(ann, root) + ['model.cls_head.num_classes=4'],
         f'{ann} has 5 classes (happiness, disgust, repression, surprise, '
         "others) but the model's cls_head.num_classes is 4: use the config "
         'of the 5-class set, or set model.cls_head.num_classes=5'),
    ]
    for i, (cfg_options, message) in enumerate(cases):
        code, err = run_tool('train.py', [
            TINY, '--work-dir', tmp_path / f'w{i}', '--cfg-options',
            *cfg_options], monkeypatch, capsys)
        assert one_line_error(code, err, 'train.py').startswith(message), i


def test_missing_checkpoint_and_bad_dump(data, monkeypatch, capsys,
                                         tmp_path):
    args = [TINY, tmp_path / 'nope.pth', '--work-dir', tmp_path,
            '--cfg-options', *options(data['ann'], data['root'])]
    code, err = run_tool('test.py', args, monkeypatch, capsys)
    assert one_line_error(code, err, 'test.py') == (
        f'{tmp_path / "nope.pth"}: checkpoint not found')


def test_a_truncated_frame_in_a_dataloader_worker(data, tmp_path):
    """In a real process, with 2 dataloader workers: the worker's error
    becomes the tool's one line; 2 workers on a 2-core machine give no
    warning."""
    root = str(tmp_path / 'frames')
    ann = make_synthetic_dataset(root, subjects=('sub01', 'sub02'),
                                 num_frames=5)
    path = osp.join(root, 'sub01', 'EP02_00', 'img3.jpg')
    with open(path, 'rb') as f:
        half = f.read()
    with open(path, 'wb') as f:
        f.write(half[:len(half) // 2])
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', TINY, '--work-dir',
         str(tmp_path / 'w'), '--cfg-options', *options(ann, root),
         'train_dataloader.num_workers=2',
         'train_dataloader.dataset.exclude_subjects=[sub02]',
         'test_dataloader.dataset.test_subjects=[sub02]'],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f'train.py: error: {path}: truncated image (the JPEG data ends '
        'before its end-of-image marker); copy the file again (frame 3 of '
        'sample sub01/EP02_00)')
    assert 'Traceback' not in proc.stderr
    assert 'worker processes in total' not in proc.stderr
