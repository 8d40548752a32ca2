"""Loading a script of ``tools/`` (not a package) as a module."""
import importlib.util
import os.path as osp
from types import ModuleType
from typing import Optional


def load_script(path: str, name: Optional[str] = None) -> ModuleType:
    """Import the Python file at ``path`` as a module.

    Args:
        path (str): The file, e.g. ``tools/official/convert_official_checkpoint.py``.
        name (str, optional): The module's name. Defaults to the file's
            name without ``.py``.

    Returns:
        module: The executed module (its ``__main__`` block does not run).
    """
    name = name or osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
