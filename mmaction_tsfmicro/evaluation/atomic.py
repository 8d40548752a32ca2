"""Atomic file writing: a reader sees the old file or the new one, never
half of one."""
import contextlib
import json
import os
import os.path as osp
import tempfile
from typing import Any, Iterator

# mkstemp creates files readable by their owner only; give the final file
# the mode an ordinary open() would (0o666 minus the umask).
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path in ``path``'s folder; move it onto ``path``
    when the block succeeds, delete it when the block fails.

    The temporary name keeps ``path``'s extension, so writers that choose
    the format from it (e.g. matplotlib) work unchanged.

    Args:
        path (str): The final path.

    Yields:
        str: The temporary path to write.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base, ext = osp.splitext(osp.basename(path))
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{base}.', suffix=f'.tmp{ext}', dir=folder)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield tmp
        with open(tmp, 'rb') as f:
            os.fsync(f.fileno())
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


def write_json(path: str, obj: Any, indent: int = 1) -> None:
    """Write ``obj`` as JSON to ``path`` atomically."""
    write_text(path, json.dumps(obj, indent=indent, allow_nan=False) + '\n')


def read_json(path: str) -> Any:
    """Read a JSON file, naming the file in the error if it is broken."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: not valid JSON ({e})') from None
