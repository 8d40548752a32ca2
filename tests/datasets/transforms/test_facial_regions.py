"""FacialRegionTiles: HTNet's four facial regions of a flow image, tiled
(the authors' indexing, and the regions centred on their points)."""
import numpy as np
import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import TRANSFORMS
from mmaction_tsfmicro.datasets.transforms.facial_regions import \
    FALLBACK_POINTS_28


def coordinates():
    """A 28 x 28 image whose pixel (r, c) holds (r, c, 0)."""
    rows, cols = np.mgrid[0:28, 0:28]
    return np.stack([rows, cols, np.zeros_like(rows)], -1).astype(np.float32)


def build(**kwargs):
    return TRANSFORMS.build(dict(type='FacialRegionTiles', **kwargs))


def test_official_indexing_by_hand():
    """The fallback points, clamped to [7, 21] and truncated: (9, 11),
    (21, 10), (15, 17), (10, 21), (20, 21); each crop takes rows
    x - 7 .. x + 6 and columns y - 7 .. y + 6 (the point's x as the row, as
    the authors' code does); the tiles are points 0, 1 over 3, 4."""
    out = build(landmarks='fixed')(dict(imgs=[coordinates()]))
    (tiles, ) = out['imgs']
    assert tiles.shape == (28, 28, 3)
    corners = {(0, 0): (2, 4), (0, 14): (14, 3), (14, 0): (3, 14),
               (14, 14): (13, 14)}
    for (r, c), (row, col) in corners.items():
        assert tuple(tiles[r, c, :2]) == (row, col), (r, c)
        assert tuple(tiles[r + 13, c + 13, :2]) == (row + 13, col + 13)
    np.testing.assert_allclose(out['facial_points'], FALLBACK_POINTS_28)


def test_regions_are_centred_on_their_points():
    out = build(mode='regions', landmarks='fixed')(dict(
        imgs=[coordinates()]))
    (tiles, ) = out['imgs']
    # left eye (x 9, y 11): rows 4.., columns 2..; right eye (21, 10);
    # mouth corners (10, 21) and (20, 21)
    assert tuple(tiles[0, 0, :2]) == (4, 2)
    assert tuple(tiles[0, 14, :2]) == (3, 14)
    assert tuple(tiles[14, 0, :2]) == (14, 3)
    assert tuple(tiles[14, 14, :2]) == (14, 13)


def test_points_scale_with_the_image_and_detection_falls_back(
        synthetic_data):
    """A 56-pixel image: the points doubled. A generated clip has no face:
    the authors' fallback points."""
    img = np.zeros((56, 56, 3), np.float32)
    out = build(landmarks='fixed')(dict(imgs=[img]))
    np.testing.assert_allclose(out['facial_points'], FALLBACK_POINTS_28 * 2)
    import os.path as osp
    sample = dict(imgs=[img], frame_dir=osp.join(synthetic_data['root'],
                                                 'sub01', 'EP00_00'),
                  filename_tmpl='img{}.jpg', apex_frame=3)
    out = build()(sample)
    np.testing.assert_allclose(out['facial_points'], FALLBACK_POINTS_28 * 2)


def test_bad_settings_and_images():
    with pytest.raises(ValueError, match="mode must be one of"):
        build(mode='grid')
    with pytest.raises(ValueError, match="landmarks must be 'detect' or "
                       "'fixed'"):
        build(landmarks='mtcnn')
    with pytest.raises(ValueError, match=r'square image whose side is a '
                       r'multiple of 4, got \(28, 30\)'):
        build(landmarks='fixed')(dict(imgs=[np.zeros((28, 30, 3))]))
