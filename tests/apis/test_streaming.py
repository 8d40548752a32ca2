"""Streaming: frame by frame, the same scores as the parallel model."""

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.apis.streaming import (StreamSpotter, draw_frame,
                                              spans_table)
from mmaction_tsfmicro.spotting import SpanFinder
from mmaction_tsfmicro.preprocessing.alignment.tracking import FaceTracker
from tsfmicro_synthesis.catalogue import find_source, load_image
from tsfmicro_synthesis.face_observation import (detect_source,
                                                          shared_detector)
from tsfmicro_synthesis.long_video import render_long_video
from tsfmicro_synthesis.long_video_plans import (LongVideoConfig,
                                                          draw_video_plan)

ALIGN = dict(size=32, detector='mediapipe', check_every=20)
FINDER = dict(threshold=0.5, merge_gap=2, min_length=2, max_length=None)
CLASSES = ('happiness', 'disgust', 'repression')
SPOTTER = dict(
    type='MicroExpressionSpotter',
    backbone=dict(type='TSFmicroSeq', input_mode='diff_prev',
                  stem_channels=(4, 8), stem_strides=(2, 2), grid_size=2,
                  embed_dims=16, depth=2, num_heads=2, pooling='none'),
    head=dict(type='SpottingHead', num_classes=3, in_channels=16,
              hidden_channels=8),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           format_shape='NCTHW'))


@pytest.fixture(scope='module')
def frames():
    source = find_source('skimage/astronaut.png')
    face = detect_source(source, shared_detector())
    config = LongVideoConfig(seed=4, duration=(2.5, 2.5), frame_size=128,
                             expressions=(1, 1), blinks_per_minute=(20, 20),
                             min_gap=0.3)
    plan = draw_video_plan(config, 's01', 1, 'v', 1)
    return list(render_long_video(load_image(source), face.points, plan,
                                  128))


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(1)
    spotter = MODELS.build(SPOTTER)
    spotter.init_weights()
    # a head that fires on some frames, so that spans are found
    torch.nn.init.normal_(spotter.head.spot[-1].weight, std=2.)
    return spotter.eval()


def parallel_scores(model, frames):
    """The parallel form's outputs on the tracker's aligned frames."""
    from mmaction.structures import ActionDataSample
    with FaceTracker(dict(size=32), 'mediapipe', check_every=20) as tracker:
        crops = [tracker.update(f).image[..., ::-1] for f in frames]  # RGB
    clip = torch.from_numpy(np.stack(crops)).permute(3, 0, 1, 2)[None]
    data = model.data_preprocessor(
        dict(inputs=[clip], data_samples=[ActionDataSample()]), False)
    return model(**data, mode='predict')[0]


def test_streaming_scores_equal_the_parallel_model(frames, model):
    whole = parallel_scores(model, frames)
    scores = whole.pred_spot.numpy()
    # a threshold that some frames pass, so that spans are found
    finder = dict(FINDER, threshold=float(np.quantile(scores, 0.7)))
    spotter = StreamSpotter(model, ALIGN, finder, CLASSES, fps=30)
    results = [spotter.process(f) for f in frames]
    spotter.finish()
    spotter.close()
    assert [r.index for r in results] == list(range(len(frames)))
    assert results[0].status == 'detected'
    streamed = np.array([r.score for r in results])
    np.testing.assert_allclose(streamed, scores, atol=1e-5)
    np.testing.assert_allclose(np.stack([r.class_scores for r in results]),
                               whole.pred_class.numpy(), atol=1e-5)
    # and the spans found online are those of the whole scores
    offline = SpanFinder(**finder).find(scores,
                                        extra=whole.pred_class.numpy())
    assert offline, 'the case should hold spans'
    assert [(s['onset'], s['offset']) for s in spotter.spans] == [
        (s.onset, s.offset) for s in offline]
    first = spotter.spans[0]
    assert first['emotion'] == CLASSES[first['label']]
    assert first['onset_time'] == round(first['onset'] / 30, 3)
    assert len(first['class_scores']) == 3


def test_frames_before_the_face_are_skipped(frames, model):
    spotter = StreamSpotter(model, ALIGN, FINDER, CLASSES, fps=25)
    blank = np.zeros_like(frames[0])
    out = [spotter.process(f) for f in [blank, blank] + frames[:3]]
    spotter.close()
    assert [r.status for r in out[:3]] == ['no face', 'no face', 'detected']
    assert out[0].score is None and spotter.first_face == 2
    assert out[2].score is not None


def test_drawing_and_the_table():
    frame = np.full((60, 80, 3), 128, np.uint8)
    span = dict(number=1, onset=3, offset=6, length=4, onset_time=0.1,
                offset_time=0.2, score=0.8, emotion='happiness',
                class_score=0.7)
    inside = draw_frame(frame, 4, 0.9, [span], 0.5)
    outside = draw_frame(frame, 8, 0.1, [span], 0.5)
    assert (inside[0, 40] == [0, 0, 255]).all()  # the red border
    assert (outside[0, 40] == 128).all()
    assert (frame == 128).all()  # the input is not drawn on
    rows = spans_table([span])
    assert rows[0][:3] == ['number', 'onset', 'offset']
    assert rows[1][:3] == [1, 3, 6] and rows[1][7] == 'happiness'
