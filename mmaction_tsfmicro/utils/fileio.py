"""Atomic file writes and JSON reading, for every file the plugin writes.

A reader sees the old file or the new one, never half of one: each writer
writes a temporary file in the destination's folder, flushes it to disk
and renames it onto the destination (:func:`os.replace`). A writer that
fails leaves no temporary file behind. Folders are written the same way
(:func:`atomic_dir`). Only the standard library is used, so light modules
(the annotation converters) can share these helpers.
"""
import contextlib
import errno
import hashlib
import json
import os
import os.path as osp
import shutil
import tempfile
from typing import Any, Iterator, Tuple

#: The errors of a write to a full disk (or a full quota).
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class DiskFullError(RuntimeError):
    """The disk that holds an output is full; the message names the folder
    once. Not an :class:`OSError`, so that the handlers of one item's
    failure (a clip, a sample) let it stop the whole run."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error is a write to a full disk."""
    return isinstance(exc, DiskFullError) or (
        isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS)


def no_space_left(folder: str, need: int = 1 << 20) -> bool:
    """Whether the disk of ``folder`` has less than ``need`` bytes free (for
    writers that fail without saying why: OpenCV's, torch's)."""
    while folder and not osp.isdir(folder):
        folder = osp.dirname(folder)
    try:
        return shutil.disk_usage(folder or '.').free < need
    except OSError:
        return False


def disk_full_error(folder: str) -> DiskFullError:
    """The error for a full disk under ``folder``."""
    return DiskFullError(
        f'{folder}: no space left on the device (free some space and run '
        'the same command again; what was finished is kept)')


@contextlib.contextmanager
def disk_full_named(folder: str) -> Iterator[None]:
    """Turn a write to a full disk inside the block into one
    :class:`DiskFullError` naming ``folder``."""
    try:
        yield
    except OSError as exc:  # not a DiskFullError: that passes as it is
        if is_disk_full(exc):
            raise disk_full_error(folder) from exc
        raise


# mkstemp creates files readable by their owner only; give the final file
# the mode an ordinary open() would (0o666 minus the umask).
_UMASK = os.umask(0)
os.umask(_UMASK)


def _fsync(path: str) -> None:
    with open(path, 'rb') as f:
        os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path in ``path``'s folder; move it onto ``path``
    when the block succeeds, delete it when the block fails.

    The folder is created if it is missing. The temporary name keeps
    ``path``'s extension, so writers that choose the format from it (e.g.
    matplotlib, OpenCV, ``numpy.save``) work unchanged. A full disk is a
    :class:`DiskFullError` naming the folder.

    Args:
        path (str): The final path.

    Yields:
        str: The temporary path to write.
    """
    folder = osp.dirname(osp.abspath(path))
    with disk_full_named(folder):
        os.makedirs(folder, exist_ok=True)
        base, ext = osp.splitext(osp.basename(path))
        fd, tmp = tempfile.mkstemp(
            prefix=f'.{base}.', suffix=f'.tmp{ext}', dir=folder)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        with disk_full_named(folder):
            yield tmp
            _fsync(tmp)
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)


def write_json(path: str, obj: Any, indent: int = 1, **kwargs) -> None:
    """Write ``obj`` as JSON to ``path`` atomically.

    Args:
        path (str): The output file.
        obj (Any): A JSON-able object (NaN and infinities are refused).
        indent (int, optional): Indentation; None writes one line.
        **kwargs: Passed to :func:`json.dumps` (e.g. ``sort_keys``).
    """
    kwargs.setdefault('allow_nan', False)
    write_text(path, json.dumps(obj, indent=indent, **kwargs) + '\n')


def read_json(path: str) -> Any:
    """Read a JSON file; the errors name the file.

    Args:
        path (str): The file.

    Returns:
        Any: The parsed JSON.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If it is not valid UTF-8 JSON.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: file not found')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f'{path}: not valid JSON ({e})') from None


def remove_tree(path: str) -> None:
    """Delete a folder (or file) if it exists, ignoring errors."""
    if osp.isdir(path) and not osp.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif osp.lexists(path):
        with contextlib.suppress(OSError):
            os.remove(path)


@contextlib.contextmanager
def atomic_dir(path: str, partial_suffix: str = '.partial') -> Iterator[str]:
    """Yield a temporary folder next to ``path``; rename it to ``path`` when
    the block succeeds (replacing an existing ``path``), delete it when the
    block fails.

    The temporary folder is ``.<name><partial_suffix>`` in ``path``'s
    parent; one left by an interrupted run is cleared first. A full disk is
    a :class:`DiskFullError` naming the parent.

    Args:
        path (str): The final folder.
        partial_suffix (str): Suffix of the temporary folder's name.

    Yields:
        str: The temporary folder to fill.
    """
    parent, name = osp.split(osp.abspath(path))
    with disk_full_named(parent):
        os.makedirs(parent, exist_ok=True)
        tmp = osp.join(parent, f'.{name}{partial_suffix}')
        remove_tree(tmp)
        os.makedirs(tmp)
    try:
        with disk_full_named(parent):
            yield tmp
        if osp.exists(path):  # move the old one aside first
            old = osp.join(parent, f'.{name}.old')
            remove_tree(old)
            os.rename(path, old)
            os.rename(tmp, path)
            remove_tree(old)
        else:
            os.rename(tmp, path)
    except BaseException:
        remove_tree(tmp)
        raise


def file_sha256(path: str) -> str:
    """The SHA-256 hex digest of a file (read in 1 MB blocks).

    Args:
        path (str): The file.

    Returns:
        str: 64 hex digits.
    """
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class OutputPathError(ValueError):
    """An output path cannot be written; the message names it."""


def check_output_path(path: str, folder: bool = False,
                      option: str = '',
                      suffixes: Tuple[str, ...] = (),
                      what: str = 'the file', why: str = '') -> None:
    """Fail in one line, before any work, if ``path`` cannot be written.

    A missing folder on the way is fine (it is made when the output is
    written); a file where a folder must be, a folder where a file must be,
    a folder that is not writable and a file name without one of
    ``suffixes`` (when given) are not.

    Args:
        path (str): The output file, or folder with ``folder=True``.
        folder (bool): Whether ``path`` is a folder.
        option (str): The option that named it (``--out``), for the
            message.
        suffixes (tuple[str]): The endings a file name may have (any
            case), e.g. ``('.avi', '.mp4')``; empty: any.
        what (str): What the file is, for the message about its ending
            (``'the video'``).
        why (str): Said after that message, in parentheses.

    Raises:
        OutputPathError: Naming ``option`` and ``path``.
    """
    where = f'{option} {path}' if option else path
    if suffixes and not path.lower().endswith(suffixes):
        raise OutputPathError(f'{where}: {what} must end with '
                              f'{" or ".join(suffixes)}' +
                              (f' ({why})' if why else ''))
    if folder and osp.exists(path) and not osp.isdir(path):
        raise OutputPathError(f'{where}: is a file, not a directory')
    if not folder and osp.isdir(path):
        raise OutputPathError(f'{where}: is a directory, not a file name')
    start = path if folder else osp.dirname(osp.abspath(path))
    existing = osp.abspath(start)
    while not osp.exists(existing):
        existing = osp.dirname(existing)
    if not osp.isdir(existing):
        raise OutputPathError(f'{where}: {existing} is a file, so the '
                              f'output folder {osp.abspath(start)} cannot '
                              'be made')
    if not os.access(existing, os.W_OK):
        raise OutputPathError(f'{where}: the folder {existing} is not '
                              'writable')
