"""Parameters and FLOPs of a config's model, for the model zoo.

FLOPs are MMEngine's count (``mmengine.analysis``): one multiply-add is one
FLOP, for one sample of the size the config's test pipeline gives, of the
whole model: backbone, neck and head, what a prediction costs. MMAction2's
``tools/analysis_tools/get_flops.py`` counts ``extract_feat`` (backbone and
neck) only, so it gives less by the head's count (17.2 M against 18.0 M for
the released demo model); the project states this convention wherever it
gives FLOPs.
"""
from typing import Dict, Tuple, Union

import torch
from mmengine.config import Config

from ..engine.runner_args import load_config


def input_shape(cfg: Config) -> Tuple[int, ...]:
    """The model's input for one sample: (1, C, T, H, W) from the test
    pipeline (its resize or crop; T = 2 for an onset/apex pair)."""
    size = 224
    for t in cfg.get('test_pipeline') or []:
        if t.get('type') in ('Resize', 'CenterCrop'):
            scale = t.get('scale', t.get('crop_size'))
            if scale is not None:
                size = int(scale[0] if isinstance(scale, (list, tuple))
                           else scale)
    return (1, 3, 2, size, size)


class _Logits(torch.nn.Module):
    """The recognizer from its input to its class scores."""

    def __init__(self, recognizer: torch.nn.Module) -> None:
        super().__init__()
        self.recognizer = recognizer

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.recognizer._forward(inputs, stage='head')


def recognizer_flops(model: torch.nn.Module, shape: Tuple[int, ...]) -> int:
    """MMEngine's FLOPs (one multiply-add each) of a built recognizer, from
    an input of ``shape`` (e.g. ``(1, 1, 3, 2, H, W)``) to its class
    scores; the model is counted in eval mode and left in its mode."""
    from mmengine.analysis import get_model_complexity_info
    was_training = model.training
    model.eval()
    try:
        info = get_model_complexity_info(
            _Logits(model), inputs=(torch.zeros(shape), ), show_table=False,
            show_arch=False)
    finally:
        model.train(was_training)
    return int(info['flops'])


def model_complexity(config: Union[str, Config]) -> Dict[str, int]:
    """``params`` and ``flops`` of a config's model.

    Args:
        config (str | Config): The config.

    Returns:
        dict: ``params``, ``flops`` and ``input_shape``.
    """
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    cfg = load_config(config) if isinstance(config, str) else config
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model).eval()
    shape = (1, ) + input_shape(cfg)
    return dict(params=int(sum(p.numel() for p in model.parameters())),
                flops=recognizer_flops(model, shape), input_shape=list(shape))
