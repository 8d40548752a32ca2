"""Augmentations applied identically to every frame of a clip.

MMAction2's ``Flip`` and ``Resize`` already treat all frames of ``imgs``
alike; these add the two parts of the official TSFmicro recipe that
MMAction2 lacks: a small random rotation and a padded random crop.

The official recipe augments frames after normalization, so that its
zero fill is the mean colour; here frames are augmented before
``ActionDataPreprocessor`` normalizes them, so the fill defaults to the
ImageNet mean in 0-255 RGB, which gives the same images.
"""
from typing import Dict, Sequence, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

IMAGENET_MEAN_RGB = (123.675, 116.28, 103.53)

Fill = Union[float, Sequence[float]]


def _fill_for(img: np.ndarray, fill: Fill) -> tuple:
    """A fill value with as many channels as ``img``."""
    channels = 1 if img.ndim == 2 else img.shape[2]
    values = np.broadcast_to(np.asarray(fill, dtype=np.float64), (channels, ))
    return tuple(float(v) for v in values)


def _check_imgs(results: Dict, name: str) -> None:
    if not results.get('imgs'):
        raise KeyError(f'{name}: results has no "imgs"; put a loading '
                       'transform (e.g. LoadFramePair) before it')


@TRANSFORMS.register_module()
class RandomRotate(BaseTransform):
    """Rotate every frame by the same random angle about the image centre.

    Required keys: ``imgs``. Modified keys: ``imgs``. Added keys:
    ``rotate_angle`` (degrees, counter-clockwise).

    Args:
        max_angle (float): The angle is drawn uniformly from
            ``[-max_angle, max_angle]`` degrees. Defaults to 3.
        prob (float): Probability of rotating at all. Defaults to 1.
        fill (float | sequence[float]): Value of the pixels that come in
            from outside the image. Defaults to the ImageNet mean (RGB).
        interpolation (str): ``'bilinear'`` or ``'nearest'``.
            Defaults to ``'bilinear'``.
    """

    _INTERP = {'bilinear': cv2.INTER_LINEAR, 'nearest': cv2.INTER_NEAREST}

    def __init__(self,
                 max_angle: float = 3.,
                 prob: float = 1.,
                 fill: Fill = IMAGENET_MEAN_RGB,
                 interpolation: str = 'bilinear') -> None:
        if max_angle < 0:
            raise ValueError(f'RandomRotate: max_angle must be >= 0, '
                             f'got {max_angle}')
        if not 0 <= prob <= 1:
            raise ValueError(f'RandomRotate: prob must be in [0, 1], '
                             f'got {prob}')
        if interpolation not in self._INTERP:
            raise ValueError(f'RandomRotate: interpolation must be one of '
                             f'{sorted(self._INTERP)}, got {interpolation!r}')
        self.max_angle = max_angle
        self.prob = prob
        self.fill = fill
        self.interpolation = interpolation

    def transform(self, results: Dict) -> Dict:
        """Rotate ``imgs``."""
        _check_imgs(results, 'RandomRotate')
        angle = 0.
        if np.random.rand() < self.prob:
            angle = float(np.random.uniform(-self.max_angle, self.max_angle))
        results['rotate_angle'] = angle
        if angle == 0.:
            return results
        h, w = results['imgs'][0].shape[:2]
        # centre of the pixel grid, as torchvision rotates
        matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle,
                                         1.)
        flags = self._INTERP[self.interpolation]
        results['imgs'] = [
            cv2.warpAffine(
                img,
                matrix, (w, h),
                flags=flags,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=_fill_for(img, self.fill))
            for img in results['imgs']
        ]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'prob={self.prob}, fill={self.fill})')


@TRANSFORMS.register_module()
class PaddedRandomCrop(BaseTransform):
    """Pad every frame, then crop all frames at the same random place.

    Equivalent to torchvision's ``RandomCrop(size, padding)`` applied with
    one draw to the whole clip.

    Required keys: ``imgs``. Modified keys: ``imgs``, ``img_shape``.
    Added keys: ``crop_bbox`` (x1, y1, x2, y2 in the padded image).

    Args:
        size (int | tuple[int, int]): Output size, ``(h, w)`` or an int.
        padding (int): Pixels added on every side. Defaults to 0.
        fill (float | sequence[float]): Value of the padding.
            Defaults to the ImageNet mean (RGB).
    """

    def __init__(self,
                 size: Union[int, Sequence[int]],
                 padding: int = 0,
                 fill: Fill = IMAGENET_MEAN_RGB) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        if len(self.size) != 2 or min(self.size) <= 0:
            raise ValueError(f'PaddedRandomCrop: size must be a positive int '
                             f'or (h, w), got {size!r}')
        if padding < 0:
            raise ValueError(f'PaddedRandomCrop: padding must be >= 0, '
                             f'got {padding}')
        self.padding = int(padding)
        self.fill = fill

    def transform(self, results: Dict) -> Dict:
        """Pad and crop ``imgs``."""
        _check_imgs(results, 'PaddedRandomCrop')
        imgs = results['imgs']
        p = self.padding
        if p:
            imgs = [
                cv2.copyMakeBorder(
                    img,
                    p,
                    p,
                    p,
                    p,
                    cv2.BORDER_CONSTANT,
                    value=_fill_for(img, self.fill)) for img in imgs
            ]
        h, w = imgs[0].shape[:2]
        th, tw = self.size
        if h < th or w < tw:
            raise ValueError(
                f'PaddedRandomCrop: padded frames of {h}x{w} are smaller '
                f'than the crop {th}x{tw}; resize them first')
        y = np.random.randint(0, h - th + 1)
        x = np.random.randint(0, w - tw + 1)
        results['imgs'] = [img[y:y + th, x:x + tw] for img in imgs]
        results['crop_bbox'] = np.array([x, y, x + tw, y + th])
        results['img_shape'] = (th, tw)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'padding={self.padding}, fill={self.fill})')
