"""MMAction2's own inference routes on the released model and a plain
video or frame folder: inference_recognizer, MMAction2Inferencer and
tools/visualizations/vis_cam.py (Grad-CAM on neck/fused)."""
import glob
import os
import os.path as osp
import runpy
import subprocess
import sys

import cv2
import mmaction
import pytest
import torch

from conftest import REPO_ROOT
from mmaction_tsfmicro.engine.checkpoint import read_checkpoint
from mmaction_tsfmicro.engine.runner_args import load_config
from mmaction_tsfmicro.preprocessing.video import iter_frames
from tsfmicro_synthesis.clip_video import write_clip_video

CONFIG = osp.join(REPO_ROOT, 'configs', 'tsfmicro',
                  'tsfmicro_retnet-tiny_1xb32-30e_demo-all-subjects_infer.py')
VIS_CAM = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools',
                   'visualizations', 'vis_cam.py')


@pytest.fixture(scope='module')
def release():
    (path, ) = glob.glob(osp.join(REPO_ROOT, 'checkpoints',
                                  'tsfmicro_tiny_demo_all-subjects-*.pth'))
    return path


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    root = tmp_path_factory.mktemp('routes')
    video = str(root / 'clip.mp4')
    truth = write_clip_video(video, 'feat/0-f1-su-ph.jpg', 'disgust', 3004)
    folder = root / 'frames'
    folder.mkdir()
    for i, frame in enumerate(iter_frames(video)):
        cv2.imwrite(str(folder / f'img_{i + 1:05d}.jpg'), frame)
    return dict(video=video, folder=str(folder), truth=truth)


def test_the_config_aligns_as_the_checkpoint_records(release):
    recorded = read_checkpoint(release)['meta']['preprocessing']
    cfg = load_config(CONFIG)
    stated = cfg.face_alignment
    assert stated['alignment'] == recorded['alignment']
    assert stated['detector'] == recorded['detector']
    (first, ) = [t for t in cfg.test_pipeline
                 if t['type'] == 'LoadClipKeyFrames']
    assert first['face_alignment'] == stated
    assert cfg.test_dataloader.dataset.pipeline == cfg.test_pipeline


def test_inference_recognizer_on_a_plain_video(release, clip):
    from mmaction.apis import inference_recognizer, init_recognizer
    model = init_recognizer(CONFIG, release, device='cpu')
    result = inference_recognizer(model, clip['video'])
    assert result.pred_score.shape == (5, )
    assert int(result.pred_score.argmax()) == 1  # disgust, as rendered
    key = result.metainfo['key_frames']
    assert key['apex_estimated'] and key['onset'] == 0
    assert abs(key['apex'] - clip['truth']['apex']) <= 4
    # with the key frames given, MMAction2's dict input
    given = inference_recognizer(model, dict(
        filename=clip['video'], onset=clip['truth']['onset'],
        apex=clip['truth']['apex'], label=-1))
    assert given.metainfo['key_frames']['apex'] == clip['truth']['apex']


@pytest.mark.parametrize('input_format', ['video', 'rawframes'])
def test_mmaction2_inferencer(release, clip, input_format):
    from mmaction.apis.inferencers import MMAction2Inferencer
    inferencer = MMAction2Inferencer(rec=CONFIG, rec_weights=release,
                                     device='cpu', input_format=input_format)
    source = clip['video'] if input_format == 'video' else clip['folder']
    (pred, ) = inferencer(source)['predictions']
    assert pred['rec_labels'] == [[1]]
    scores = pred['rec_scores'][0]
    assert len(scores) == 5 and abs(sum(scores) - 1) < 1e-5
    assert max(scores) > 0.5


def test_vis_cam_on_the_fused_map(release, clip, tmp_path):
    """MMAction2's script runs; its Grad-CAM gives the two frames a map."""
    for args in ([clip['video']], [clip['folder'], '--use-frames']):
        proc = subprocess.run(
            [sys.executable, VIS_CAM, CONFIG, release, *args,
             '--target-layer-name', 'neck/fused', '--device', 'cpu'],
            capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
        assert proc.returncode == 0, proc.stderr[-2000:]
    from mmaction.apis import init_recognizer
    from mmaction.utils import GradCAM
    build_inputs = runpy.run_path(VIS_CAM)['build_inputs']
    model = init_recognizer(CONFIG, release, device='cpu')
    blended, preds = GradCAM(model, 'neck/fused')(
        build_inputs(model, clip['video']))
    assert blended.shape == (1, 2, 112, 112, 3)
    assert preds.shape == (1, 5) and int(preds.argmax()) == 1
    assert float(blended.std()) > 0.01  # a map, not a flat image
    assert torch.isfinite(blended).all()
    assert os.listdir(tmp_path) == []  # nothing written without a file
