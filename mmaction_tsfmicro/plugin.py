"""Register the plugin in MMAction2's registries.

Importing this module registers every dataset, transform, model, metric and
hook of the plugin (and MMAction2's own) and applies the fixes for the
upstream defects of the pinned MMAction2 / MMEngine / PyTorch
(:mod:`mmaction_tsfmicro.utils.compat`). Configs load it with::

    default_scope = 'mmaction'
    custom_imports = dict(
        imports=['mmaction_tsfmicro.plugin'], allow_failed_imports=False)

so MMAction2's own ``tools/train.py`` and ``tools/test.py`` run the
plugin's configs. In Python, call :func:`register_all_modules` as one calls
MMAction2's.
"""
from mmengine.registry import DefaultScope

from .utils.compat import apply_upstream_fixes


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register MMAction2's modules and the plugin's, after the fixes.

    Args:
        init_default_scope (bool): Whether to make ``mmaction`` the default
            scope, as :func:`mmaction.utils.register_all_modules` does.
            Defaults to True.
    """
    apply_upstream_fixes()  # before mmaction.models is first imported
    from mmaction.utils import register_all_modules as register_mmaction
    register_mmaction(init_default_scope=False)
    from . import (datasets, engine, evaluation, models,  # noqa: F401
                   visualization)
    if init_default_scope and not DefaultScope.check_instance_created(
            'mmaction'):
        DefaultScope.get_instance('mmaction', scope_name='mmaction')


register_all_modules(init_default_scope=False)
