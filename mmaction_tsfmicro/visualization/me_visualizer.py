"""The picture of one micro-expression sample: onset, apex, their
difference, the true and the predicted class.

Drawn with OpenCV (its Hershey fonts ship with it); the colour table of the
difference comes from matplotlib's colour maps, without pyplot. Nothing
needs a display but :meth:`MicroExpressionVisualizer.show`.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.visualization import Visualizer

from mmaction.registry import VISUALIZERS
from ..utils.fileio import write_bytes
from .display import check_display
from .panels import (colour_difference, frame_pair, resize_panel,
                     signed_difference, stretch_range)

Colour = Tuple[int, int, int]
BLACK: Colour = (0, 0, 0)
GREEN: Colour = (0, 128, 0)
RED: Colour = (200, 0, 0)
FONT = cv2.FONT_HERSHEY_SIMPLEX


@VISUALIZERS.register_module()
class MicroExpressionVisualizer(Visualizer):
    """Draws a sample's onset frame, apex frame and signed difference
    ``apex - onset``, with the true class and the predicted class and its
    score, named from ``dataset_meta['classes']``.

    The difference is averaged over the colour channels and stretched so
    that a motion of a few pixels shows: white where the frames are equal,
    red where the apex is brighter, blue where it is darker; its title
    gives the difference (in 0-255 levels) of full colour.

    Args:
        name (str): Name of the instance. Defaults to ``'visualizer'``.
        vis_backends (list[dict], optional): MMEngine's visualization
            backends; :meth:`add_datasample` saves through them when it is
            given no file.
        save_dir (str, optional): Folder of the backends.
        panel_size (int): Height of each panel in pixels (small frames are
            enlarged pixel by pixel). Defaults to 224.
        min_range (float): The smallest difference given full colour, in
            0-255 levels (see :func:`~.panels.stretch_range`). Defaults to 4.
        **kwargs: Other arguments of MMEngine's ``Visualizer``.
    """

    #: Blank border around and between the panels, in pixels.
    MARGIN = 8
    #: Height of the row of panel titles.
    TITLE_HEIGHT = 22
    #: Height of each caption line (sample, true class, prediction).
    LINE_HEIGHT = 22
    #: Caption lines under the panels.
    CAPTION_LINES = 3

    def __init__(self,
                 name: str = 'visualizer',
                 vis_backends: Optional[List[dict]] = None,
                 save_dir: Optional[str] = None,
                 panel_size: int = 224,
                 min_range: float = 4.,
                 **kwargs) -> None:
        super().__init__(
            name=name, vis_backends=vis_backends, save_dir=save_dir,
            **kwargs)
        if panel_size < 16:
            raise ValueError(f'panel_size must be at least 16, got '
                             f'{panel_size}')
        self.panel_size = int(panel_size)
        self.min_range = float(min_range)

    # MMEngine's property answers None on all but the first process; every
    # process draws its own samples, and each needs the class names.
    @property
    def dataset_meta(self) -> Optional[dict]:
        """The dataset's metainfo (``classes`` names the labels)."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: Optional[dict]) -> None:
        self._dataset_meta = dataset_meta

    def canvas_shape(self, frame_shape: Sequence[int]) -> Tuple[int, int]:
        """``(height, width)`` of the picture of ``(H, W)`` frames."""
        h, w = frame_shape[:2]
        panel_w = max(1, int(round(w * self.panel_size / h)))
        m = self.MARGIN
        height = (m + self.TITLE_HEIGHT + self.panel_size + m +
                  self.CAPTION_LINES * self.LINE_HEIGHT + m)
        return height, 3 * panel_w + 4 * m

    def class_name(self, index: int) -> str:
        """The name of class ``index`` (``class <index>`` if unknown)."""
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None and 0 <= index < len(classes):
            return str(classes[index])
        return f'class {index}'

    def caption(self, data_sample=None) -> List[Tuple[str, Colour]]:
        """The text under the panels, one ``(line, colour)`` each.

        Args:
            data_sample (ActionDataSample, optional): With ``gt_label``,
                ``pred_label``, ``pred_score`` and the metainfo
                ``dataset``, ``subject``, ``clip``, ``sample_idx``.

        Returns:
            list[tuple[str, tuple]]: The sample, ``true: <class>`` and
            ``pred: <class> (<score>)`` (green if right, red if wrong).
        """
        meta = data_sample.metainfo if data_sample is not None else {}
        ids = [str(meta[k]) for k in ('dataset', 'subject', 'clip')
               if k in meta]
        if not ids and 'sample_idx' in meta:
            ids = [f"sample {meta['sample_idx']}"]
        true = pred = None
        if data_sample is not None and 'gt_label' in data_sample:
            true = int(data_sample.gt_label.reshape(-1)[0])
        lines = [(' / '.join(ids) or 'sample', BLACK),
                 ('true: ' + ('-' if true is None else self.class_name(true)),
                  BLACK)]
        if data_sample is not None and 'pred_label' in data_sample:
            pred = int(data_sample.pred_label.reshape(-1)[0])
            text = 'pred: ' + self.class_name(pred)
            if 'pred_score' in data_sample:
                score = float(data_sample.pred_score.reshape(-1)[pred])
                text += f' ({score:.2f})'
            colour = BLACK if true is None else GREEN if pred == true else RED
            lines.append((text, colour))
        else:
            lines.append(('pred: -', BLACK))
        return lines

    def _put_text(self,
                  canvas: np.ndarray,
                  text: str,
                  origin: Tuple[int, int],
                  width: int,
                  colour: Colour = BLACK) -> None:
        """Write ``text`` at ``origin`` (left, baseline), within ``width``
        pixels: a smaller font first, then a cut with ``...``."""
        scale = 0.5
        while scale > 0.3 and cv2.getTextSize(text, FONT, scale,
                                              1)[0][0] > width:
            scale -= 0.05
        while len(text) > 3 and cv2.getTextSize(text, FONT, scale,
                                                1)[0][0] > width:
            text = text[:-4] + '...'
        cv2.putText(canvas, text, origin, FONT, scale, colour, 1,
                    cv2.LINE_AA)

    def draw_sample(self,
                    inputs,
                    data_sample=None,
                    mean: Optional[Sequence[float]] = None,
                    std: Optional[Sequence[float]] = None,
                    channel_order: str = 'rgb') -> np.ndarray:
        """The picture of one sample.

        Args:
            inputs (Tensor | np.ndarray): The sample's ``(1, 3, 2, H, W)``
                frames (see :func:`~.panels.frame_pair`), 0-255 unless
                ``mean``/``std`` say how they were normalized.
            data_sample (ActionDataSample, optional): Labels and metainfo.
            mean (Sequence[float], optional): Normalization mean.
            std (Sequence[float], optional): Normalization std.
            channel_order (str): ``'rgb'`` or ``'bgr'``.

        Returns:
            np.ndarray: ``(*canvas_shape, 3)`` uint8 RGB.
        """
        onset, apex, stretched = frame_pair(inputs, mean, std, channel_order)
        diff = signed_difference(onset, apex)
        value_range = stretch_range(diff, self.min_range)
        note = ' (stretched)' if stretched else ''
        panels = [(np.rint(onset).astype(np.uint8), 'onset' + note),
                  (np.rint(apex).astype(np.uint8), 'apex' + note),
                  (colour_difference(diff, value_range),
                   f'apex - onset (+/-{value_range:.0f})')]
        height, width = self.canvas_shape(onset.shape)
        canvas = np.full((height, width, 3), 255, np.uint8)
        m, top = self.MARGIN, self.MARGIN + self.TITLE_HEIGHT
        x = m
        for image, title in panels:
            image = resize_panel(image, self.panel_size)
            w = image.shape[1]
            canvas[top:top + self.panel_size, x:x + w] = image
            self._put_text(canvas, title, (x, top - 7), w)
            x += w + m
        y = top + self.panel_size + m
        for text, colour in self.caption(data_sample):
            y += self.LINE_HEIGHT
            self._put_text(canvas, text, (m, y - 6), width - 2 * m, colour)
        return canvas

    def show(self,
             drawn_img: np.ndarray,
             win_name: str = 'micro-expression',
             wait_time: float = 0.,
             **kwargs) -> None:
        """Show an RGB picture in an OpenCV window.

        Args:
            drawn_img (np.ndarray): ``(H, W, 3)`` uint8 RGB.
            win_name (str): The window's title.
            wait_time (float): Seconds to wait; 0 waits for a key.
            **kwargs: Ignored (MMEngine's ``continue_key``, ``backend``).

        Raises:
            RuntimeError: In one line, where no window can be opened.
        """
        check_display('showing a picture')
        cv2.imshow(win_name, cv2.cvtColor(drawn_img, cv2.COLOR_RGB2BGR))
        cv2.waitKey(max(1, int(wait_time * 1000)) if wait_time > 0 else 0)

    def add_datasample(self,
                       name: str,
                       inputs,
                       data_sample=None,
                       out_file: Optional[str] = None,
                       show: bool = False,
                       wait_time: float = 0.,
                       step: int = 0,
                       mean: Optional[Sequence[float]] = None,
                       std: Optional[Sequence[float]] = None,
                       channel_order: str = 'rgb') -> np.ndarray:
        """Draw a sample, then save and/or show the picture.

        Args:
            name (str): The picture's name for the backends and the window.
            inputs (Tensor | np.ndarray): See :meth:`draw_sample`.
            data_sample (ActionDataSample, optional): See
                :meth:`draw_sample`.
            out_file (str, optional): A PNG file to write (atomically);
                without it the picture goes to the backends.
            show (bool): Whether to show it in a window too.
            wait_time (float): Seconds the window stays (0: until a key).
            step (int): The backends' step. Defaults to 0.
            mean (Sequence[float], optional): See :meth:`draw_sample`.
            std (Sequence[float], optional): See :meth:`draw_sample`.
            channel_order (str): See :meth:`draw_sample`.

        Returns:
            np.ndarray: The picture, ``(H, W, 3)`` uint8 RGB.
        """
        picture = self.draw_sample(inputs, data_sample, mean, std,
                                   channel_order)
        if show:
            self.show(picture, win_name=name, wait_time=wait_time)
        if out_file is not None:
            ok, png = cv2.imencode('.png',
                                   cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
            if not ok:
                raise RuntimeError(f'{out_file}: OpenCV could not encode '
                                   'the picture as PNG')
            folder = osp.dirname(out_file)
            if folder:
                os.makedirs(folder, exist_ok=True)
            write_bytes(out_file, png.tobytes())
        else:
            self.add_image(name, picture, step)
        return picture
