"""The panels of a frame pair: which frame is which, the value range, the
signed difference and its colours."""
import numpy as np
import pytest
import torch

from mmaction_tsfmicro.visualization.panels import (LUT_SIZE,
                                                    colour_difference,
                                                    frame_pair, resize_panel,
                                                    signed_difference,
                                                    stretch_range)


def pair(h=8, w=6):
    """(1, 3, 2, H, W) uint8: onset 50, apex 50 but for one brighter
    pixel; channel c of the onset is 50 + c."""
    x = np.full((1, 3, 2, h, w), 50, np.uint8)
    x[0, :, 0] += np.arange(3, dtype=np.uint8)[:, None, None]
    x[0, :, 1, 2, 3] = 90
    return x


def test_frame_pair_takes_index_0_as_onset_and_keeps_uint8_values():
    onset, apex, stretched = frame_pair(torch.from_numpy(pair()))
    assert onset.shape == apex.shape == (8, 6, 3)
    assert not stretched
    assert onset[0, 0].tolist() == [50, 51, 52]  # RGB in channel order
    assert apex[2, 3].tolist() == [90, 90, 90]
    assert apex[0, 0].tolist() == [50, 50, 50]
    bgr, _, _ = frame_pair(pair(), channel_order='bgr')
    assert bgr[0, 0].tolist() == [52, 51, 50]


def test_normalized_inputs_are_mapped_back_only_with_their_mean_and_std():
    raw = pair().astype(np.float32)
    mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
    normed = (raw - np.reshape(mean, (1, 3, 1, 1, 1))) / np.reshape(
        std, (1, 3, 1, 1, 1))
    onset, apex, stretched = frame_pair(normed, mean=mean, std=std)
    assert not stretched
    np.testing.assert_allclose(onset, raw[0, :, 0].transpose(1, 2, 0),
                               atol=1e-4)
    # without them, nothing is undone: the values are stretched, visibly
    onset, apex, stretched = frame_pair(normed)
    assert stretched and onset.min() >= 0 and apex.max() <= 255
    with pytest.raises(ValueError, match='both mean and std'):
        frame_pair(normed, mean=mean)


def test_a_sample_of_another_shape_is_refused_in_one_line():
    with pytest.raises(ValueError,
                       match=r'is \(1, 3, 2, H, W\) \(onset, apex\), got '
                       r'shape \(3, 3, 8, 8\)'):
        frame_pair(np.zeros((1, 3, 3, 8, 8)))


def test_difference_is_signed_and_flat_where_the_frames_are_equal():
    onset = np.full((4, 4, 3), 100.)
    apex = onset.copy()
    apex[1, 1] = 130.  # brighter
    apex[2, 2] = 80.  # darker
    diff = signed_difference(onset, apex)
    assert diff[1, 1] == 30 and diff[2, 2] == -20 and diff[0, 0] == 0
    picture = colour_difference(diff, stretch_range(diff))
    centre = picture[0, 0]
    flat = np.ones((4, 4), bool)
    flat[1, 1] = flat[2, 2] = False
    assert (picture[flat] == centre).all()
    red, blue = picture[1, 1].astype(int), picture[2, 2].astype(int)
    assert red[0] > red[2] and blue[2] > blue[0]  # red brighter, blue darker
    assert centre.min() > 230  # white-ish where nothing moves


def test_stretch_keeps_a_few_pixel_motion_visible():
    diff = np.zeros((112, 112))
    diff[50:52, 60:62] = 40.  # 4 of 12544 pixels: below the percentile
    value_range = stretch_range(diff)
    assert value_range == pytest.approx(10.)  # a quarter of the largest
    picture = colour_difference(diff, value_range)
    assert (picture[50, 60] != picture[0, 0]).any()
    # frames that barely differ stay pale
    assert stretch_range(np.full((8, 8), 0.5)) == 4.
    assert LUT_SIZE % 2 == 1  # so that zero has its own colour


def test_resize_panel_enlarges_pixel_by_pixel():
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = 255
    big = resize_panel(image, 8)
    assert big.shape == (8, 12, 3)
    assert (big[:4, :4] == 255).all() and (big[4:, 4:] == 0).all()
