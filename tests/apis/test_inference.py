"""Recognition of one clip: every input form gives the model's own answer,
MMAction2's inference_recognizer takes the annotation file's names, and a
raw video is aligned with the checkpoint's preprocessing."""
import glob
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmaction_tsfmicro.apis.inference import (ClipError, inference_clip,
                                              init_model)
from mmaction_tsfmicro.apis.publish import publish_checkpoint

from .conftest import CLASSES, REPO, TINY


@pytest.fixture(scope='module')
def model(runner_checkpoint, tmp_path_factory):
    release = publish_checkpoint(
        runner_checkpoint, str(tmp_path_factory.mktemp('rel') / 'tiny'))
    return init_model(TINY, release)


def folder_of(frames, clip='EP00_00'):
    return osp.join(frames['root'], 'sub01', clip)


def test_every_input_form_gives_the_same_scores(model, frames):
    folder = folder_of(frames)  # onset 1, apex 3 of the generated clip
    # generated frames need no aligning (a folder that preprocess_faces.py
    # wrote says so itself, with its alignment.json)
    by_folder = inference_clip(model, dict(frame_dir=folder, onset=1,
                                           apex=3, aligned=True))
    files = [osp.join(folder, 'img1.jpg'), osp.join(folder, 'img3.jpg')]
    by_files = inference_clip(model, dict(frames=files))
    arrays = [cv2.cvtColor(cv2.imread(f), cv2.COLOR_BGR2RGB) for f in files]
    by_arrays = inference_clip(model, dict(frames=arrays))
    for result in (by_files, by_arrays):
        assert torch.equal(result.pred_score, by_folder.pred_score)
    meta = by_folder.metainfo
    assert meta['classes'] == CLASSES
    assert meta['pred_class'] == CLASSES[int(by_folder.pred_score.argmax())]
    assert set(meta['scores']) == set(CLASSES)
    assert sum(meta['scores'].values()) == pytest.approx(1, abs=1e-5)
    assert meta['source'] == dict(source=folder, onset=1, apex=3,
                                  apex_estimated=False, warnings=[])
    # the scores are the test pipeline's: the model sees the generated clip
    # as the dataset gives it
    from mmengine.dataset import Compose, pseudo_collate
    sample = dict(frame_dir=folder, filename_tmpl='img{}.jpg',
                  onset_frame=1, apex_frame=3, label=0)
    data = Compose(model.cfg.test_pipeline)(sample)
    with torch.no_grad():
        expected = model.test_step(pseudo_collate([data]))[0].pred_score
    assert torch.equal(expected, by_folder.pred_score)


def test_mmaction2_inference_recognizer_takes_annotation_names(
        model, frames):
    from mmaction.apis import inference_recognizer
    folder = folder_of(frames)
    ours = inference_clip(model, dict(frame_dir=folder, onset=1, apex=3),
                          align=False)
    theirs = inference_recognizer(model, dict(frame_dir=folder, onset=1,
                                              apex=3))
    assert torch.equal(theirs.pred_score, ours.pred_score)


def test_bad_clips_are_named(model, frames, tmp_path):
    folder = folder_of(frames)
    with pytest.raises(ClipError, match=r'EP00_00: no frame numbered 9 '
                       r'\(frames 1\.\.5\)'):
        inference_clip(model, dict(frame_dir=folder, onset=9, apex=10,
                                   aligned=True))
    with pytest.raises(ClipError, match='the apex .frame 1. must come after '
                       'the onset .frame 3.'):
        inference_clip(model, dict(frame_dir=folder, onset=3, apex=1))
    with pytest.raises(ClipError, match='video not found'):
        inference_clip(model, dict(video=str(tmp_path / 'x.mp4'), onset=1,
                                   apex=2), align=False)
    with pytest.raises(ClipError, match='records no face preprocessing'):
        inference_clip(model, dict(frame_dir=folder, onset=1, apex=3),
                       align=True)
    with pytest.raises(ClipError, match='give two frames'):
        inference_clip(model, dict(frames=[osp.join(folder, 'img1.jpg')]))


def test_a_clip_without_an_apex(model, frames):
    folder = folder_of(frames)
    result = inference_clip(model, dict(frame_dir=folder, aligned=True))
    source = result.metainfo['source']
    numbers = sorted(int(f[3:-4]) for f in os.listdir(folder)
                     if f.startswith('img'))
    assert source['onset'] == numbers[0] and source['apex_estimated']
    assert numbers[0] < source['apex'] < numbers[-1]
    given = inference_clip(model, dict(frame_dir=folder, aligned=True,
                                       onset=numbers[0],
                                       apex=source['apex']))
    assert torch.equal(given.pred_score, result.pred_score)


def test_the_released_demo_model_on_a_raw_video(tmp_path):
    """A new clip rendered on a real face, written as a video: found,
    aligned as the demo's training faces were, and classified."""
    from tsfmicro_synthesis.clip_video import write_clip_video
    video = str(tmp_path / 'clip.mp4')
    record = write_clip_video(video, 'feat/0-f1-su-ph.jpg', 'happiness',
                              2027)
    assert record['apex'] > record['onset'] >= 0
    release = glob.glob(osp.join(REPO, 'checkpoints',
                                 'tsfmicro_tiny_demo_all-subjects-*.pth'))
    assert len(release) == 1
    model = init_model(None, release[0])  # the config stored in it
    assert model.preprocessing['alignment']['size'] == 112
    result = inference_clip(model, dict(video=video, onset=record['onset'],
                                        apex=record['apex']))
    meta = result.metainfo
    assert meta['source']['alignment']['detector'] == 'mediapipe'
    alignment = meta['source']['alignment']
    # tracked from the onset: the head's motion is measured and removed
    assert 0 <= alignment['residual_px'] <= alignment['max_motion_px']
    assert alignment['moved_px'] >= alignment['residual_px']
    assert meta['source']['warnings'] == []
    assert meta['pred_class'] in meta['classes']
    # by time: the same frames
    fps = meta['source']['fps']
    by_time = inference_clip(model, dict(
        video=video, onset_time=record['onset'] / fps,
        apex_time=record['apex'] / fps))
    assert torch.equal(by_time.pred_score, result.pred_score)
    assert np.isclose(sum(meta['scores'].values()), 1, atol=1e-5)
