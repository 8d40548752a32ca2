"""The visualization hook: every shipped config takes --show-dir, the hook
draws every interval-th sample under its name, and tools/test.py
--show-dir writes one picture per test sample."""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from conftest import REPO_ROOT
from mmaction.registry import HOOKS, MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.visualization import Visualizer

from mmaction_tsfmicro.engine import load_config, merge_test_args
from mmaction_tsfmicro.visualization import (MicroExpressionVisualizationHook,
                                             MicroExpressionVisualizer,
                                             display)

TINY = osp.join('tests', 'data', 'configs', 'tiny_synthetic.py')
CLASSES = ['happiness', 'disgust', 'repression', 'surprise', 'others']


def shipped_configs():
    paths = glob.glob(osp.join(REPO_ROOT, 'configs', '*.py'))
    paths += glob.glob(osp.join(REPO_ROOT, 'configs', 'tsfmicro', '*.py'))
    paths += glob.glob(osp.join(REPO_ROOT, 'tests', 'data', 'configs',
                                '*.py'))
    return sorted(paths)


def cli_args(config, checkpoint, **kwargs):
    args = dict(config=config, checkpoint=checkpoint, show=False,
                show_dir=None, interval=1, wait_time=2, dump=None,
                launcher='none', cfg_options=None, work_dir='w')
    args.update(kwargs)
    return argparse.Namespace(**args)


def test_registered():
    assert HOOKS.get('MicroExpressionVisualizationHook') is \
        MicroExpressionVisualizationHook


@pytest.mark.parametrize('config', shipped_configs(),
                         ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_every_config_takes_show_dir(config, tmp_path, monkeypatch):
    # the checkpoint is not read here: what --show-dir merges is the subject
    from mmaction_tsfmicro.engine import runner_args
    monkeypatch.setattr(runner_args, 'check_fits', lambda *args: None)
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    cfg = merge_test_args(
        load_config(config),
        cli_args(config, str(ckpt), show_dir=str(tmp_path / 'vis'),
                 interval=3))
    vis = cfg.default_hooks.visualization
    assert vis.to_dict() == dict(
        type='MicroExpressionVisualizationHook', enable=True, show=False,
        wait_time=2, out_dir=str(tmp_path / 'vis'), interval=3)
    hook = HOOKS.build(vis.to_dict())
    assert hook.enable and hook.interval == 3


def test_show_without_a_display_is_refused_in_one_line(
        tmp_path, monkeypatch):
    monkeypatch.setattr(display, 'display_unavailable_reason',
                        lambda: 'no display (DISPLAY is not set)')
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    message = ('--show needs a window: no display (DISPLAY is not set); '
               "save the pictures with --show-dir DIR (the hook's out_dir) "
               'instead')
    with pytest.raises(RuntimeError) as info:
        merge_test_args(load_config(TINY),
                        cli_args(TINY, str(ckpt), show=True))
    assert str(info.value) == message
    with pytest.raises(RuntimeError, match='^--show'):
        MicroExpressionVisualizationHook(enable=True, show=True)
    MicroExpressionVisualizationHook(enable=False, show=True)  # stays off


def fake_runner(to_rgb=False, classes=CLASSES):
    """What the hook reads of a Runner in a test loop."""
    dataset = SimpleNamespace(metainfo=dict(classes=classes))
    runner = SimpleNamespace(
        visualizer=MicroExpressionVisualizer(name=f'runner_{to_rgb}'),
        model=SimpleNamespace(
            data_preprocessor=SimpleNamespace(to_rgb=to_rgb)),
        test_loop=SimpleNamespace(dataloader=SimpleNamespace(
            dataset=dataset)),
        epoch=0)
    runner.visualizer.add_image = lambda *a: runner.images.append(a)
    runner.images = []
    return runner


def batch(clips, start=0, colour=(200, 10, 10)):
    inputs, samples = [], []
    for i, clip in enumerate(clips):
        x = torch.zeros(1, 3, 2, 16, 16, dtype=torch.uint8)
        x[0, :, :] = torch.tensor(colour, dtype=torch.uint8).view(3, 1, 1, 1)
        inputs.append(x)
        s = ActionDataSample().set_gt_label(i % 5).set_pred_label(
            0).set_pred_score(torch.tensor([.6, .1, .1, .1, .1]))
        s.set_metainfo(dict(dataset='casme2', subject='sub01', clip=clip,
                            sample_idx=start + i))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples), samples


def test_hook_draws_every_interval_th_sample_under_its_name(tmp_path):
    hook = MicroExpressionVisualizationHook(enable=True, interval=2,
                                            out_dir=str(tmp_path))
    runner = fake_runner()
    hook.before_test(runner)
    for batch_idx, clips in enumerate([['a', 'b', 'c'], ['d', 'e', 'f']]):
        data, outputs = batch(clips, start=3 * batch_idx)
        hook.after_test_iter(runner, batch_idx, data, outputs)
    written = sorted(
        osp.relpath(p, tmp_path)
        for p in glob.glob(str(tmp_path / '**' / '*.png'), recursive=True))
    assert written == [f'casme2/sub01/{c}.png' for c in 'ace']
    assert hook._get_visualizer(runner) is runner.visualizer
    assert runner.visualizer.dataset_meta['classes'] == CLASSES
    picture = cv2.imread(str(tmp_path / 'casme2' / 'sub01' / 'a.png'))
    assert picture[40, 20].tolist() == [10, 10, 200]  # RGB (200, 10, 10)


def test_hook_swaps_channels_only_where_the_preprocessor_does(tmp_path):
    hook = MicroExpressionVisualizationHook(enable=True,
                                            out_dir=str(tmp_path))
    runner = fake_runner(to_rgb=True)  # the pipeline packs BGR
    hook.before_test(runner)
    data, outputs = batch(['a'])
    hook.after_test_iter(runner, 0, data, outputs)
    picture = cv2.imread(str(tmp_path / 'casme2' / 'sub01' / 'a.png'))
    assert picture[40, 20].tolist() == [200, 10, 10]  # shown as RGB 10,10,200


def test_hook_off_or_without_out_dir(tmp_path):
    runner = fake_runner()
    data, outputs = batch(['a', 'b'])
    MicroExpressionVisualizationHook(out_dir=str(tmp_path)).after_test_iter(
        runner, 0, data, outputs)
    assert os.listdir(tmp_path) == []  # enable=False draws nothing
    # without out_dir, a visualizer of the hook's own gives the pictures to
    # the runner's backends
    runner.visualizer = SimpleNamespace(add_image=lambda *a: images.append(a),
                                        dataset_meta=None)
    images = []
    current = Visualizer.get_instance('test_hook_current')
    hook = MicroExpressionVisualizationHook(enable=True)
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, data, outputs)
    assert [(name, step) for name, _, step in images] == [
        ('casme2_sub01_a', 0), ('casme2_sub01_b', 0)]
    assert images[0][1].ndim == 3
    # the hook's own visualizer leaves MMEngine's current one alone
    assert Visualizer.get_current_instance() is current


def test_hook_builds_the_visualizer_it_is_given(tmp_path):
    runner = fake_runner()
    hook = MicroExpressionVisualizationHook(
        enable=True, out_dir=str(tmp_path),
        visualizer=dict(type='MicroExpressionVisualizer', panel_size=64))
    hook.before_test(runner)
    data, outputs = batch(['a'])
    hook.after_test_iter(runner, 0, data, outputs)
    own = hook._get_visualizer(runner)
    assert own is not runner.visualizer and own.panel_size == 64
    picture = cv2.imread(str(tmp_path / 'casme2' / 'sub01' / 'a.png'))
    assert picture.shape[:2] == own.canvas_shape((16, 16))
    other = MicroExpressionVisualizationHook(
        enable=True, visualizer=dict(type='ActionVisualizer'))
    with pytest.raises(TypeError, match='visualizer.type must be'):
        other._get_visualizer(runner)


def test_tools_test_show_dir_writes_one_picture_per_test_sample(
        synthetic_data, tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, TINY))
    model = MODELS.build(cfg.model)  # untrained: the pictures are the point
    torch.save(dict(state_dict=model.state_dict(), meta={}),
               str(tmp_path / 'model.pth'))
    out = tmp_path / 'pictures'
    data = [
        f"test_dataloader.dataset.ann_file={synthetic_data['ann_file']}",
        f"test_dataloader.dataset.data_prefix.img={synthetic_data['root']}"
    ]
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', TINY, str(tmp_path / 'model.pth'),
         '--show-dir', str(out), '--work-dir', str(tmp_path / 'work'),
         '--cfg-options', *data],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = sorted(
        osp.relpath(p, out)
        for p in glob.glob(str(out / '**' / '*.png'), recursive=True))
    # the test subject sub01 holds one clip per class
    assert written == [f'casme2/sub01/EP{c:02d}_00.png' for c in range(5)]
    picture = cv2.imread(str(out / 'casme2' / 'sub01' / 'EP00_00.png'))
    vis = MicroExpressionVisualizer(name='shape_check')
    assert picture.shape == vis.canvas_shape((32, 32)) + (3, )
    assert np.ptp(picture) > 0
