"""Mixed precision where MMEngine's ``AmpOptimWrapper`` does not go: the
CPU, in bfloat16."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmaction.registry import OPTIM_WRAPPERS


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 matrix products natively (oneDNN
    sees AVX512-BF16 or AMX units)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward runs under ``torch.autocast``.

    bfloat16 has float32's range, so no loss scaling is needed (unlike
    float16 and MMEngine's ``AmpOptimWrapper``, which runs on GPUs only):
    the gradients and the optimizer step stay float32, the weights too.
    ``tools/train.py --amp`` and ``tools/loso.py --amp`` choose it on a CPU
    with bfloat16 units; a config chooses it with
    ``optim_wrapper = dict(type='AutocastOptimWrapper', ...)`` and tests in
    the same precision with ``test_cfg = dict(type='TestLoop', fp16=True)``
    (MMEngine's test loop autocasts a CPU to bfloat16).

    Args:
        dtype (str): The autocast dtype. Defaults to ``'bfloat16'``.
        device_type (str): The autocast device. Defaults to ``'cpu'``.
        **kwargs: ``optimizer``, ``clip_grad``, ... of ``OptimWrapper``.
    """

    def __init__(self, dtype: str = 'bfloat16', device_type: str = 'cpu',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(getattr(torch, dtype, None), torch.dtype):
            raise ValueError(f'AutocastOptimWrapper: unknown dtype {dtype!r}')
        self.dtype = getattr(torch, dtype)
        self.device_type = device_type

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The parent's context (gradient accumulation) under autocast."""
        with super().optim_context(model), autocast(
                device_type=self.device_type, dtype=self.dtype):
            yield
