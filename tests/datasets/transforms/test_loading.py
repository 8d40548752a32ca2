
import cv2
import numpy as np
import pytest

from mmaction_tsfmicro.datasets.transforms import LoadFramePair


def test_loads_rgb_in_frame_order_and_expands_grayscale(tmp_path):
    bgr = np.zeros((6, 7, 3), np.uint8)
    bgr[..., 0] = 200  # blue in BGR
    cv2.imwrite(str(tmp_path / '006_00010.png'), bgr)
    cv2.imwrite(str(tmp_path / '006_00012.png'),
                np.full((6, 7), 77, np.uint8))  # grayscale, as in SAMM
    results = dict(frame_dir=str(tmp_path), filename_tmpl='006_{:05d}.png',
                   frame_inds=np.array([10, 12]))
    out = LoadFramePair()(results)
    onset, apex = out['imgs']
    assert onset.shape == (6, 7, 3) and apex.shape == (6, 7, 3)
    assert onset[0, 0].tolist() == [0, 0, 200]  # RGB
    assert apex[0, 0].tolist() == [77, 77, 77]
    assert out['img_shape'] == (6, 7) and out['original_shape'] == (6, 7)


def test_undecodable_frame_is_named(tmp_path):
    cv2.imwrite(str(tmp_path / 'img1.jpg'), np.zeros((4, 4, 3), np.uint8))
    (tmp_path / 'img2.jpg').write_bytes(b'not an image')
    results = dict(frame_dir=str(tmp_path), filename_tmpl='img{}.jpg',
                   frame_inds=np.array([1, 2]), subject='sub03', clip='EP7')
    with pytest.raises(ValueError, match=r'img2.jpg: cannot decode the image '
                       r'\(frame 2 of sample sub03/EP7\)'):
        LoadFramePair()(results)


def test_frames_of_different_size_are_refused(tmp_path):
    cv2.imwrite(str(tmp_path / 'img1.jpg'), np.zeros((4, 4, 3), np.uint8))
    cv2.imwrite(str(tmp_path / 'img2.jpg'), np.zeros((5, 4, 3), np.uint8))
    results = dict(frame_dir=str(tmp_path), filename_tmpl='img{}.jpg',
                   frame_inds=np.array([1, 2]), subject='s', clip='c')
    with pytest.raises(ValueError, match=r'frames \[1, 2\] differ in size'):
        LoadFramePair()(results)
