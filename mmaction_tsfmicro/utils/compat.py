"""Fixes for upstream defects of the pinned MMAction2 / MMEngine / PyTorch.

Each fix is applied only where its defect is present, and is idempotent:

* ``drn``: the PyPI wheel and sdist of mmaction2 1.2.0 lack the folder
  ``mmaction/models/localizers/drn`` that ``mmaction.models.localizers``
  imports, so ``import mmaction.models`` fails. A stand-in module is put
  into :data:`sys.modules` when, and only when, that folder is missing.
* ``weights_only``: torch >= 2.6 loads checkpoints with ``weights_only=True``,
  which refuses the ``MessageHub`` (``HistoryBuffer``, numpy arrays and
  scalars) that MMEngine stores in every checkpoint, so ``load_from`` and
  ``--resume`` fail. Exactly those classes are added to torch's safe globals.
* ``mmcv_lite_warning``: with mmcv-lite (no compiled ``mmcv.ops``),
  ``mmcv.cnn`` warns on every import that ``MultiScaleDeformableAttention``
  is missing, which nothing here uses; that one warning is silenced.
* ``cpu_dist``: MMEngine calls ``torch.cuda.set_device`` and asks for NCCL
  whatever the machine, and wraps the model in DDP with ``device_ids``, so a
  torchrun/Slurm job fails on a CPU-only machine. When CUDA is absent the
  process group falls back to gloo, ``set_device`` is skipped and the DDP
  wrapper gets ``device_ids=None``. Machines with CUDA are left untouched.
* ``low_precision_scores``: MMAction2's ``BaseHead`` turns the class scores
  into numpy arrays for its accuracy, which fails for bfloat16 (``Got
  unsupported ScalarType BFloat16``), so no MMAction2 head trains or tests
  under CPU autocast (``--amp`` on a CPU). Its ``loss_by_feat`` and
  ``predict_by_feat`` get the scores in float32 (the precision the losses
  and metrics want anyway); float32 scores pass unchanged.
"""
import functools
import importlib.util
import os
import os.path as osp
import sys
import types
import warnings
from typing import Dict, List

#: Names of the fixes that :func:`apply_upstream_fixes` applied.
APPLIED: List[str] = []


def _mmaction_root() -> str:
    """Return the folder of the installed ``mmaction`` package."""
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError('mmaction2 is not installed: pip install '
                          '"mmaction2>=1.2.0,<1.3"')
    return list(spec.submodule_search_locations)[0]


def drn_is_missing() -> bool:
    """Whether the installed mmaction2 lacks ``models/localizers/drn``."""
    return not osp.isdir(
        osp.join(_mmaction_root(), 'models', 'localizers', 'drn'))


def _fix_missing_drn() -> bool:
    """Register a stand-in for ``mmaction.models.localizers.drn``."""
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules or not drn_is_missing():
        return False

    class DRN:  # noqa: D401 - a stand-in, documented by its error
        """Stand-in for MMAction2's DRN localizer, absent from this wheel."""

        def __init__(self, *args, **kwargs) -> None:
            raise ImportError(
                'DRN is not part of the installed mmaction2 package (its '
                'PyPI 1.2.0 wheel lacks mmaction/models/localizers/drn); '
                'install mmaction2 from source to use DRN')

    from mmaction.registry import MODELS
    MODELS.register_module(name='DRN', module=DRN)
    package = types.ModuleType(name)
    package.__path__ = []  # a package, so that ``.drn.drn`` resolves
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module
    return True


def _numpy_safe_globals() -> list:
    """The numpy callables that pickled arrays and scalars refer to."""
    import numpy as np
    found = [np.ndarray, np.dtype]
    for modname in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        for attr in ('_reconstruct', 'scalar'):
            fn = getattr(mod, attr, None)
            if fn is not None:
                found.append((fn, f'{modname}.{attr}'))
    # numpy pickles dtypes by their class, e.g. numpy.dtypes.Float64DType
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found.extend(
            getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType'))
    return found


def torch_loads_weights_only() -> bool:
    """Whether ``torch.load`` defaults to ``weights_only=True``."""
    import torch
    from mmengine.utils import digit_version
    if os.environ.get('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '0') not in ('0',
                                                                       ''):
        return False
    return digit_version(torch.__version__.split('+')[0]) >= digit_version(
        '2.6.0')


def _fix_weights_only_load() -> bool:
    """Allow MMEngine's checkpoint contents under ``weights_only=True``."""
    import torch
    if not torch_loads_weights_only() or not hasattr(torch.serialization,
                                                     'add_safe_globals'):
        return False
    from mmengine.logging import HistoryBuffer
    safe = [HistoryBuffer, getattr] + _numpy_safe_globals()
    torch.serialization.add_safe_globals(safe)
    return True


def _fix_cpu_distributed() -> bool:
    """Let MMEngine's distributed launchers run on CPU-only machines."""
    import torch
    from mmengine.dist import utils as dist_utils
    from mmengine.model import MMDistributedDataParallel

    if getattr(dist_utils, '_tsfmicro_cpu_fix', False):
        return False

    def cpu_safe(init_fn):

        @functools.wraps(init_fn)
        def wrapper(backend='nccl', *args, **kwargs):
            if torch.cuda.is_available():
                return init_fn(backend, *args, **kwargs)
            if backend == 'nccl':
                from mmengine.logging import print_log
                print_log(
                    'CUDA is not available: the process group uses gloo '
                    'instead of nccl', logger='current')
                backend = 'gloo'
            set_device = torch.cuda.set_device
            torch.cuda.set_device = lambda *a, **k: None
            try:
                return init_fn(backend, *args, **kwargs)
            finally:
                torch.cuda.set_device = set_device

        return wrapper

    for name in ('_init_dist_pytorch', '_init_dist_slurm'):
        setattr(dist_utils, name, cpu_safe(getattr(dist_utils, name)))

    ddp_init = MMDistributedDataParallel.__init__

    @functools.wraps(ddp_init)
    def ddp_init_cpu_safe(self, module, detect_anomalous_params=False,
                          **kwargs):
        on_cpu = all(p.device.type == 'cpu' for p in module.parameters())
        if on_cpu and not torch.cuda.is_available():
            kwargs['device_ids'] = None
            kwargs.pop('output_device', None)
        ddp_init(self, module, detect_anomalous_params, **kwargs)

    MMDistributedDataParallel.__init__ = ddp_init_cpu_safe
    dist_utils._tsfmicro_cpu_fix = True
    return True


def _fix_low_precision_scores() -> bool:
    """Give MMAction2's heads float32 class scores under autocast."""
    import torch
    from mmaction.models.heads.base import BaseHead
    if getattr(BaseHead, '_tsfmicro_fp32_scores', False):
        return False

    def float_scores(method):
        @functools.wraps(method)
        def wrapper(self, cls_scores, *args, **kwargs):
            if isinstance(cls_scores, torch.Tensor) and cls_scores.dtype in (
                    torch.bfloat16, torch.float16):
                cls_scores = cls_scores.float()
            return method(self, cls_scores, *args, **kwargs)
        return wrapper

    BaseHead.loss_by_feat = float_scores(BaseHead.loss_by_feat)
    BaseHead.predict_by_feat = float_scores(BaseHead.predict_by_feat)
    BaseHead._tsfmicro_fp32_scores = True
    return True


def _silence_mmcv_lite_warning() -> bool:
    """Hide mmcv-lite's warning about its missing compiled ops."""
    if importlib.util.find_spec('mmcv') is None or importlib.util.find_spec(
            'mmcv._ext') is not None:
        return False
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    return True


def silence_pkg_resources_warning() -> bool:
    """Hide the deprecation warning of ``pkg_resources`` (setuptools >= 81),
    which MMEngine 0.10's ``utils.package_utils`` imports whenever a config
    inherits another package's (``mmaction::_base_/...``): two lines of
    stderr on every run that say nothing about it."""
    warnings.filterwarnings(
        'ignore', message='pkg_resources is deprecated as an API',
        category=UserWarning)
    return True


_FIXES: Dict[str, callable] = {
    'pkg_resources_warning': silence_pkg_resources_warning,
    'drn': _fix_missing_drn,
    'mmcv_lite_warning': _silence_mmcv_lite_warning,
    'weights_only': _fix_weights_only_load,
    'cpu_dist': _fix_cpu_distributed,
    'low_precision_scores': _fix_low_precision_scores,
}


def apply_upstream_fixes() -> List[str]:
    """Apply every fix whose defect is present.

    Returns:
        list[str]: The names of the fixes applied by this call (a second
        call applies none). :data:`APPLIED` keeps all of them.
    """
    done = [name for name, fix in _FIXES.items()
            if name not in APPLIED and fix()]
    APPLIED.extend(done)
    return done
