import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

from mmaction_tsfmicro.datasets.transforms import (PaddedRandomCrop,
                                                   RandomRotate)
from mmaction_tsfmicro.datasets.transforms.augmentations import \
    IMAGENET_MEAN_RGB


def pair(seed=0, size=24):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (size, size, 3)).astype(np.uint8)
    return [img, img.copy()]


def official_train_augmentation():
    return [
        TRANSFORMS.build(t) for t in (
            dict(type='Flip', flip_ratio=0.5),
            dict(type='RandomRotate', max_angle=3),
            dict(type='PaddedRandomCrop', size=24, padding=15),
        )
    ]


def test_both_frames_get_the_same_augmentation():
    np.random.seed(1)
    transforms = official_train_augmentation()
    for trial in range(20):
        results = dict(imgs=pair(trial), img_shape=(24, 24), modality='RGB')
        for t in transforms:
            results = t(results)
        onset, apex = results['imgs']
        assert onset.shape == (24, 24, 3)
        np.testing.assert_array_equal(onset, apex)


def test_augmentation_is_random_across_calls():
    np.random.seed(2)
    transforms = official_train_augmentation()
    outs = []
    for _ in range(5):
        results = dict(imgs=pair(0), img_shape=(24, 24), modality='RGB')
        for t in transforms:
            results = t(results)
        outs.append(results['imgs'][0])
    assert any(not np.array_equal(outs[0], o) for o in outs[1:])


def test_rotation_keeps_the_centre_and_fills_with_the_mean():
    img = np.zeros((21, 21, 3), np.uint8)
    img[10, 10] = 255
    np.random.seed(0)
    out = RandomRotate(max_angle=30)(dict(imgs=[img, img.copy()]))
    assert 0 < abs(out['rotate_angle']) <= 30
    rot = out['imgs'][0]
    assert rot[10, 10].tolist() == [255, 255, 255]
    # a corner rotated in from outside holds the ImageNet mean colour
    expected = [round(v) for v in IMAGENET_MEAN_RGB]
    assert rot[0, 0].tolist() == expected or rot[0, 20].tolist() == expected


def test_rotation_probability_zero_is_identity():
    imgs = pair()
    out = RandomRotate(max_angle=3, prob=0)(dict(imgs=[i.copy()
                                                       for i in imgs]))
    assert out['rotate_angle'] == 0
    np.testing.assert_array_equal(out['imgs'][0], imgs[0])


def test_padded_crop_geometry():
    img = np.arange(10 * 10 * 3, dtype=np.uint8).reshape(10, 10, 3)
    np.random.seed(3)
    seen = set()
    for _ in range(200):
        out = PaddedRandomCrop(size=10, padding=2, fill=0)(
            dict(imgs=[img, img.copy()]))
        x1, y1, x2, y2 = out['crop_bbox'].tolist()
        assert (x2 - x1, y2 - y1) == (10, 10) and 0 <= x1 <= 4
        crop = out['imgs'][0]
        padded = np.pad(img, ((2, 2), (2, 2), (0, 0)))
        np.testing.assert_array_equal(crop, padded[y1:y2, x1:x2])
        seen.add((x1, y1))
    assert len(seen) == 25  # every offset of the 5x5 range occurs


def test_padded_crop_errors():
    with pytest.raises(ValueError, match='size must be a positive int'):
        PaddedRandomCrop(size=0)
    with pytest.raises(ValueError, match='smaller than the crop 40x40'):
        PaddedRandomCrop(size=40, padding=2)(dict(imgs=pair()))
    with pytest.raises(KeyError, match='has no "imgs"'):
        PaddedRandomCrop(size=4)(dict())
