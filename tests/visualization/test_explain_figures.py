import os

import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.visualization.explain_figures import (MapRow,
                                                             motion_image,
                                                             overlay,
                                                             plot_attributions,
                                                             plot_embedding,
                                                             smooth)

CLASSES = ['happiness', 'disgust', 'repression', 'surprise', 'others']


def png_size(path):
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert image is not None, path
    return image.shape[1], image.shape[0]


def frames(size=48):
    rng = np.random.default_rng(0)
    onset = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    apex = onset.copy()
    apex[10:20, 10:20] = 255
    return onset, apex


def test_the_attribution_picture_has_its_size(tmp_path):
    onset, apex = frames()
    cam = np.zeros((48, 48), np.float32)
    cam[12:18, 12:18] = 1
    rows = [MapRow('Grad-CAM', cam, np.zeros_like(cam)),
            MapRow('IG', cam - 0.5, cam, ('motion +1.00', 'onset -0.20'),
                   sigma=1.)]
    out = tmp_path / 'sub' / 'a.png'
    plot_attributions(onset, apex, rows, [0.1, 0.6, 0.1, 0.1, 0.1], CLASSES,
                      1, str(out), title='x', width=640, height=400)
    assert png_size(out) == (640, 400)
    assert os.listdir(tmp_path / 'sub') == ['a.png']  # no temporary left
    with pytest.raises(ValueError, match='no attribution maps'):
        plot_attributions(onset, apex, [], [1.], ['a'], 0, str(out))


def test_the_embedding_picture_has_its_size(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(20) % 5
    held = np.arange(20) < 4
    out = tmp_path / 'e.png'
    plot_embedding(rng.normal(size=(20, 2)), labels, CLASSES, held, str(out),
                   title='t', width=500, height=420)
    assert png_size(out) == (500, 420)
    with pytest.raises(ValueError, match='do not agree'):
        plot_embedding(np.zeros((3, 2)), labels, CLASSES, held, str(out))


def test_the_motion_image_is_the_scaled_difference():
    onset, apex = frames()
    motion = motion_image(onset, apex)
    assert motion.shape == (48, 48)
    assert motion.min() >= 0 and motion.max() == 1
    assert not motion_image(onset, onset).any()
    tiny = onset.copy()
    tiny[0, 0] += 1  # one pixel changes: the 99.5th percentile is 0
    assert motion_image(onset, tiny).max() == 1


def test_overlays_are_transparent_where_the_map_is_low():
    cam = np.array([[0., 0.5], [1., 0.25]])
    rgba = overlay(cam)
    assert rgba.shape == (2, 2, 4)
    assert rgba[0, 0, 3] == 0
    assert rgba[1, 0, 3] == pytest.approx(0.8)
    assert not overlay(np.zeros((2, 2)))[..., 3].any()


def test_smoothing_keeps_the_size_and_the_mass():
    cam = np.zeros((32, 32), np.float32)
    cam[16, 16] = 1
    blurred = smooth(cam, 2.)
    assert blurred.shape == cam.shape
    assert blurred.sum() == pytest.approx(1, rel=1e-3)
    assert smooth(cam, 0) is cam
