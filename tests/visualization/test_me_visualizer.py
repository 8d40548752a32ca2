"""The picture of one sample: its size, its difference panel, its labels
written as class names, the PNG file."""
import cv2
import numpy as np
import pytest
import torch
from mmaction.registry import VISUALIZERS
from mmaction.structures import ActionDataSample

from mmaction_tsfmicro.visualization import MicroExpressionVisualizer
from mmaction_tsfmicro.visualization.me_visualizer import GREEN, RED

CLASSES = ['happiness', 'disgust', 'repression', 'surprise', 'others']
#: Where the apex differs from the onset in :func:`moving_pair`.
MOVED = (slice(10, 14), slice(20, 24))


def moving_pair(size=32):
    """A (1, 3, 2, H, W) uint8 pair: a smooth background, and a spot that
    is 30 levels brighter in the apex only."""
    yy, xx = np.mgrid[0:size, 0:size]
    background = (80 + 2 * xx + yy).astype(np.uint8)
    x = np.repeat(background[None, None, None], 2, axis=2)
    x = np.repeat(x, 3, axis=1).copy()
    x[0, :, 1, MOVED[0], MOVED[1]] += 30
    return torch.from_numpy(x)


def sample(gt=3, pred=1, score=0.6, **meta):
    scores = torch.full((5, ), (1 - score) / 4)
    scores[pred] = score
    data_sample = ActionDataSample().set_gt_label(gt).set_pred_label(
        pred).set_pred_score(scores)
    data_sample.set_metainfo(
        dict(dataset='casme2', subject='sub01', clip='EP02_01f', sample_idx=4,
             **meta))
    return data_sample


@pytest.fixture
def visualizer():
    vis = MicroExpressionVisualizer(name='test_me_visualizer')
    vis.dataset_meta = dict(classes=CLASSES)
    return vis


def panel(vis, picture, k, frame=32):
    """The k-th panel (0 onset, 1 apex, 2 difference) of a picture."""
    top = vis.MARGIN + vis.TITLE_HEIGHT
    w = vis.panel_size  # square frames
    left = vis.MARGIN + k * (w + vis.MARGIN)
    return picture[top:top + vis.panel_size, left:left + w]


def test_registered():
    assert VISUALIZERS.get('MicroExpressionVisualizer') is \
        MicroExpressionVisualizer


def test_picture_size(visualizer):
    picture = visualizer.draw_sample(moving_pair(), sample())
    # 3 panels of 224 px and 4 margins of 8; a title row of 22, the panels,
    # a margin, 3 caption lines of 22 and a margin
    assert picture.shape == (8 + 22 + 224 + 8 + 3 * 22 + 8, 3 * 224 + 32, 3)
    assert picture.dtype == np.uint8
    assert picture.shape[:2] == visualizer.canvas_shape((32, 32))
    small = MicroExpressionVisualizer(name='small', panel_size=64)
    assert small.draw_sample(moving_pair(16)).shape == (
        8 + 22 + 64 + 8 + 66 + 8, 3 * 64 + 32, 3)


def test_frames_are_shown_as_given(visualizer):
    pair = moving_pair()
    picture = visualizer.draw_sample(pair, sample())
    scale = visualizer.panel_size // 32
    onset = panel(visualizer, picture, 0)[::scale, ::scale]
    apex = panel(visualizer, picture, 1)[::scale, ::scale]
    assert np.array_equal(onset, pair[0, :, 0].permute(1, 2, 0).numpy())
    assert np.array_equal(apex, pair[0, :, 1].permute(1, 2, 0).numpy())


def test_difference_panel_moves_where_the_frames_differ_only(visualizer):
    picture = visualizer.draw_sample(moving_pair(), sample())
    scale = visualizer.panel_size // 32
    diff = panel(visualizer, picture, 2)[::scale, ::scale].astype(int)
    moved = np.zeros((32, 32), bool)
    moved[MOVED] = True
    still = diff[~moved]
    assert (still == still[0]).all()  # one flat colour where nothing moved
    assert still[0].min() > 230  # white-ish
    inside = diff[moved]
    assert (inside != still[0]).any(axis=1).all()
    assert (inside[:, 0] > inside[:, 2]).all()  # red: the apex is brighter


def test_labels_are_written_as_class_names(visualizer):
    lines = visualizer.caption(sample(gt=3, pred=1, score=0.6))
    assert lines == [('casme2 / sub01 / EP02_01f', (0, 0, 0)),
                     ('true: surprise', (0, 0, 0)),
                     ('pred: disgust (0.60)', RED)]
    assert visualizer.caption(sample(gt=0, pred=0, score=0.9))[2] == (
        'pred: happiness (0.90)', GREEN)
    # without the dataset's classes the numbers are shown
    bare = MicroExpressionVisualizer(name='bare')
    assert bare.caption(sample())[1][0] == 'true: class 3'


def test_the_caption_is_drawn(visualizer):
    right = visualizer.draw_sample(moving_pair(), sample(gt=1, pred=1))
    wrong = visualizer.draw_sample(moving_pair(), sample(gt=3, pred=1))
    v = visualizer
    top = v.MARGIN + v.TITLE_HEIGHT + v.panel_size + v.MARGIN
    lines = [right[top + i * v.LINE_HEIGHT:top + (i + 1) * v.LINE_HEIGHT]
             for i in range(3)]
    for line in lines:
        assert (line < 128).any()  # some ink on every line
    # the prediction line is green when right, red when wrong
    pred_right = lines[2].reshape(-1, 3).astype(int)
    pred_wrong = wrong[top + 2 * v.LINE_HEIGHT:top + 3 * v.LINE_HEIGHT]
    pred_wrong = pred_wrong.reshape(-1, 3).astype(int)
    assert (pred_right[:, 1] - pred_right[:, 0] > 60).any()
    assert (pred_wrong[:, 0] - pred_wrong[:, 1] > 60).any()
    # another class name writes other pixels
    other = visualizer.draw_sample(moving_pair(), sample(gt=4, pred=1))
    assert not np.array_equal(wrong[top + v.LINE_HEIGHT:],
                              other[top + v.LINE_HEIGHT:])


def test_add_datasample_writes_a_png(visualizer, tmp_path):
    out = tmp_path / 'casme2' / 'sub01' / 'EP02_01f.png'
    picture = visualizer.add_datasample('x', moving_pair(), sample(),
                                        out_file=str(out))
    saved = cv2.imread(str(out))[..., ::-1]
    assert np.array_equal(saved, picture)
