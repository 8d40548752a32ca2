"""What a run leaves to read: the counts and failures of its results, and
the ``alignment.json`` of each aligned clip.
"""
import os.path as osp
from typing import Dict, Sequence

from ..utils.fileio import read_json
from .clip_spec import ALIGNMENT_FILE, ClipResult

#: The outcomes of a clip (or flow sample), in the order they are counted.
STATUSES = ('done', 'skipped', 'failed')


def count_results(results: Sequence[ClipResult]) -> Dict[str, int]:
    """Count the results of each status.

    Args:
        results (Sequence[ClipResult]): Results of a run.

    Returns:
        dict[str, int]: The count of each of :data:`STATUSES`, in order.
    """
    return {s: sum(r.status == s for r in results) for s in STATUSES}


def summarize(results: Sequence[ClipResult], noun: str = 'clips') -> str:
    """Return a human-readable summary: counts, then each failure.

    Args:
        results (Sequence[ClipResult]): Results of a run.
        noun (str): What the results are of, e.g. ``'samples'``.

    Returns:
        str: The lines of the summary.
    """
    counts = count_results(results)
    lines = [f'{noun}: {len(results)}, done: {counts["done"]}, skipped '
             f'(already done): {counts["skipped"]}, failed: '
             f'{counts["failed"]}']
    lines += [f'FAILED {r.key}: {r.reason}'
              for r in results if r.status == 'failed']
    return '\n'.join(lines)


def load_alignment(folder: str) -> Dict:
    """Read the ``alignment.json`` of an aligned clip folder.

    Args:
        folder (str): The clip's output folder.

    Returns:
        dict: The transform, landmarks, checks and frames of the clip.

    Raises:
        FileNotFoundError: If the folder holds no ``alignment.json``.
    """
    path = osp.join(folder, ALIGNMENT_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(f'no {ALIGNMENT_FILE} in {folder}')
    return read_json(path)
