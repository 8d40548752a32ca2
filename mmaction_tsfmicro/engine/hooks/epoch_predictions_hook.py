"""Per-epoch predictions of validation (``tools/loso.py --select-on-test``)."""
import os.path as osp

from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from ...evaluation.metrics import MEMetric


@HOOKS.register_module()
class EpochPredictionsHook(Hook):
    """Point the :class:`MEMetric` of validation at one file per epoch.

    Before each validation, ``out_file`` of every :class:`MEMetric` of the
    validation evaluator becomes ``out_template.format(epoch=E)``, ``E``
    being the number of finished training epochs. A run resumed from a
    checkpoint whose epoch has no file yet validates that epoch first.

    Args:
        out_template (str): File name template with ``{epoch}``.
    """

    priority = 'HIGH'

    def __init__(self, out_template: str) -> None:
        if '{epoch}' not in out_template:
            raise ValueError(f'EpochPredictionsHook: out_template must hold '
                             f'"{{epoch}}", got {out_template!r}')
        self.out_template = out_template

    def before_train(self, runner) -> None:
        """After resuming from epoch ``E``: validate now if the run was
        stopped between saving the checkpoint of ``E`` and validating it."""
        epoch = runner.epoch
        if epoch > 0 and not osp.isfile(self.out_template.format(epoch=epoch)):
            runner.val_loop.run()

    def before_val_epoch(self, runner) -> None:
        """Set the output file of the epoch's predictions."""
        metrics = getattr(runner.val_evaluator, 'metrics', [])
        found = False
        for metric in metrics:
            if isinstance(metric, MEMetric):
                metric.out_file = self.out_template.format(epoch=runner.epoch)
                found = True
        if not found:
            raise ValueError('EpochPredictionsHook: val_evaluator has no '
                             'MEMetric')
