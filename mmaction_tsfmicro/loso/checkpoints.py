"""The checkpoints of a fold: the newest complete one to resume from, and
pruning those of a finished fold."""
import glob
import os
import os.path as osp
import re
import zipfile
from typing import Optional


def _checkpoint_is_complete(path: str) -> bool:
    """Whether a checkpoint file is a complete torch zip archive."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError):
        return False


def _epoch_of(path: str) -> int:
    m = re.search(r'epoch_(\d+)\.pth$', path)
    return int(m.group(1)) if m else -1


def find_resume_checkpoint(fold_dir: str) -> Optional[str]:
    """The newest complete checkpoint of an unfinished fold.

    The ``epoch_<N>.pth`` files are tried from the newest. (MMEngine's
    ``last_checkpoint`` pointer is not trusted: the checkpoint hook deletes
    the oldest checkpoint before it writes the new one, and writes the
    pointer last.) A checkpoint cut short by a kill is not a complete zip
    archive; such files (newer than the one returned) are deleted, so that
    training writes them again.

    Args:
        fold_dir (str): The fold folder.

    Returns:
        str | None: The checkpoint path, or None to start afresh.
    """
    candidates = glob.glob(osp.join(fold_dir, 'epoch_*.pth'))
    broken = []
    for path in sorted(candidates, key=_epoch_of, reverse=True):
        if _epoch_of(path) < 0:
            continue
        if _checkpoint_is_complete(path):
            for bad in broken:
                os.remove(bad)
            return path
        broken.append(path)
    for bad in broken:
        os.remove(bad)
    return None


def prune_checkpoints(fold_dir: str, keep: Optional[str]) -> None:
    """Delete every ``epoch_<N>.pth`` of a finished fold but ``keep`` (all
    of them when ``keep`` is None)."""
    keep = osp.basename(keep) if keep else None
    for path in glob.glob(osp.join(fold_dir, 'epoch_*.pth')):
        if osp.basename(path) != keep:
            os.remove(path)
