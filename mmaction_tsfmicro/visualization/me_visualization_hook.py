"""The hook that draws test (and validation) samples as they are
predicted: ``tools/test.py --show-dir DIR`` (``--show``, ``--interval``,
``--wait-time``) sets its arguments.

MMEngine's loops call ``after_test_iter(runner, batch_idx, data_batch,
outputs)`` with ``data_batch`` the dataloader's batch: the model's data
preprocessor normalizes a copy (its ``cast_data`` builds new containers),
so ``data_batch['inputs']`` holds the frames as the pipeline packed them,
0-255, in the pipeline's channel order. The hook shows them as they are,
swapping the channels only where the preprocessor swaps them
(``to_rgb=True``) for the model.
"""
import math
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS, VISUALIZERS
from .display import check_display
from .me_visualizer import MicroExpressionVisualizer
from .picture_names import PictureNames


@HOOKS.register_module()
class MicroExpressionVisualizationHook(Hook):
    """Draw every ``interval``-th test or validation sample with
    :class:`MicroExpressionVisualizer`: onset, apex, their difference, the
    true and the predicted class.

    The arguments are those of MMAction2's ``VisualizationHook``, whose
    frame-by-frame drawing does not suit a frame pair. A picture is
    ``<out_dir>/<dataset>/<subject>/<clip>.png`` (validation pictures end
    in ``_epoch<k>``); without ``out_dir`` it goes to the runner's
    visualization backends (``vis_data/vis_image`` of the log folder). Every
    process draws its own samples.

    Args:
        enable (bool): Whether to draw at all. Defaults to False (configs
            carry the hook; ``--show-dir`` turns it on).
        interval (int): Draw every ``interval``-th sample. Defaults to 1.
        show (bool): Show each picture in a window; refused in one line
            where there is no display. Defaults to False.
        out_dir (str, optional): Folder of the pictures.
        wait_time (float): Seconds a window stays (0: until a key).
            Defaults to 2.
        visualizer (dict, optional): Config of the visualizer to draw with
            (``type`` defaults to ``'MicroExpressionVisualizer'``); without
            it the runner's visualizer is used if it is one, else a
            default one.
    """

    def __init__(self,
                 enable: bool = False,
                 interval: int = 1,
                 show: bool = False,
                 out_dir: Optional[str] = None,
                 wait_time: float = 2.,
                 visualizer: Optional[dict] = None) -> None:
        if int(interval) < 1:
            raise ValueError(f'{type(self).__name__}: interval must be a '
                             f'positive number of samples, got {interval}')
        if enable and show:
            check_display('--show (show=True)')
        self.enable = enable
        self.interval = int(interval)
        self.show = show
        self.out_dir = out_dir
        self.wait_time = wait_time
        self.visualizer_cfg = visualizer
        self._visualizer: Optional[MicroExpressionVisualizer] = None
        self._names = PictureNames()
        self._meta: Optional[dict] = None

    def _get_visualizer(self, runner) -> MicroExpressionVisualizer:
        """The visualizer: the runner's if it is one, else the hook's own
        (built directly, so the runner's stays MMEngine's current one)."""
        if self._visualizer is None:
            current = runner.visualizer
            if self.visualizer_cfg is None and isinstance(
                    current, MicroExpressionVisualizer):
                self._visualizer = current
            else:
                cfg = dict(self.visualizer_cfg or {})
                name = cfg.pop('type', 'MicroExpressionVisualizer')
                cls = VISUALIZERS.get(name)
                if not (isinstance(cls, type)
                        and issubclass(cls, MicroExpressionVisualizer)):
                    raise TypeError(
                        f'{type(self).__name__}: visualizer.type must be '
                        f'MicroExpressionVisualizer or a subclass of it, '
                        f'got {name!r}')
                cfg.setdefault('name', f'{type(self).__name__}_{id(self)}')
                self._visualizer = cls(**cfg)
        return self._visualizer

    @staticmethod
    def _channel_order(runner) -> str:
        """The inputs' channel order: BGR where the data preprocessor
        swaps the channels to give the model RGB."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        preprocessor = getattr(model, 'data_preprocessor', None)
        return 'bgr' if getattr(preprocessor, 'to_rgb', False) else 'rgb'

    @staticmethod
    def _dataset_meta(loop) -> Optional[dict]:
        dataset = getattr(getattr(loop, 'dataloader', None), 'dataset', None)
        return getattr(dataset, 'metainfo', None)

    def before_test(self, runner) -> None:
        """Take the class names of the test set."""
        self._meta = self._dataset_meta(runner.test_loop)

    def before_val(self, runner) -> None:
        """Take the class names of the validation set."""
        self._meta = self._dataset_meta(runner.val_loop)

    def _draw_samples(self, runner, batch_idx: int, data_batch: dict,
                      outputs: Sequence, suffix: str, step: int) -> None:
        """Draw the batch's samples whose index is a multiple of
        :attr:`interval` (counted over the loop, as MMAction2 does)."""
        if not self.enable:
            return
        visualizer = self._get_visualizer(runner)
        if self._meta is not None:
            visualizer.dataset_meta = self._meta
        channel_order = self._channel_order(runner)
        batch_size = len(outputs)
        start = batch_size * batch_idx
        first = math.ceil(start / self.interval) * self.interval
        for index in range(first, start + batch_size, self.interval):
            data_sample = outputs[index - start]
            parts = self._names.name(data_sample.metainfo, index, suffix)
            out_file = None
            if self.out_dir is not None:
                out_file = osp.join(self.out_dir, *parts) + '.png'
            # backends and windows take the name without folders
            name = '_'.join(parts)
            picture = visualizer.add_datasample(
                name,
                data_batch['inputs'][index - start],
                data_sample,
                out_file=out_file,
                show=self.show,
                wait_time=self.wait_time,
                step=step,
                channel_order=channel_order)
            if out_file is None and visualizer is not runner.visualizer:
                # the hook's own visualizer has no backends: the runner's
                runner.visualizer.add_image(name, picture, step)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        """Draw validation samples (their pictures end in ``_epoch<k>``)."""
        self._draw_samples(runner, batch_idx, data_batch, outputs,
                           f'_epoch{runner.epoch}', runner.epoch)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        """Draw test samples."""
        self._draw_samples(runner, batch_idx, data_batch, outputs, '', 0)
