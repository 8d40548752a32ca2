"""Where the picture of a sample goes: named after the sample, never on top
of another sample's picture.

A sample is ``dataset/subject/clip`` (unique in an annotation file, see
``docs/architecture.md``), so its picture is ``<dataset>/<subject>/<clip>``
(``.png`` added by the writer). Characters a file system may refuse become
``_``; should two samples still meet on one name (two names that differ
only in such characters, or metainfo without ``clip``), the later one gets
its ``sample_idx`` appended.
"""
import re
from typing import Dict, Hashable, Optional, Tuple

#: What may stay in a path component.
_SAFE = re.compile(r'[^A-Za-z0-9._+-]+')


def safe_component(text: str) -> str:
    """``text`` as one path component (no separator, not ``.``/``..``)."""
    text = _SAFE.sub('_', str(text)).strip()
    return '_' if text in ('', '.', '..') else text


def sample_parts(metainfo: dict, fallback_index: int) -> Tuple[str, ...]:
    """The parts of a sample's name: dataset, subject, clip.

    Args:
        metainfo (dict): The data sample's metainfo (``dataset``,
            ``subject``, ``clip``, ``sample_idx``; any may be missing).
        fallback_index (int): The sample's index in the loop, used when
            the metainfo names no clip and has no ``sample_idx``.

    Returns:
        tuple[str]: Safe path components, the last the picture's stem.
    """
    parts = [metainfo[k] for k in ('dataset', 'subject') if k in metainfo]
    if 'clip' in metainfo:
        parts.append(metainfo['clip'])
    else:
        parts.append(f"sample_{metainfo.get('sample_idx', fallback_index)}")
    return tuple(safe_component(p) for p in parts)


class PictureNames:
    """The names of the pictures of one run, one per sample.

    Args:
        suffix (str): Appended to every stem (e.g. ``'_epoch3'``).
            Defaults to none.
    """

    def __init__(self, suffix: str = '') -> None:
        self.suffix = suffix
        self._owners: Dict[Tuple[str, ...], Hashable] = {}

    def name(self,
             metainfo: dict,
             fallback_index: int,
             suffix: Optional[str] = None) -> Tuple[str, ...]:
        """The picture of a sample, as path components (no extension).

        Args:
            metainfo (dict): The data sample's metainfo.
            fallback_index (int): The sample's index in the loop.
            suffix (str, optional): Overrides :attr:`suffix`.

        Returns:
            tuple[str]: The same name each time for one sample; a name no
            other sample of this run got.
        """
        suffix = self.suffix if suffix is None else suffix
        # who the sample is: its metainfo, or its place in the loop
        owner = tuple(
            str(metainfo.get(k))
            for k in ('dataset', 'subject', 'clip', 'sample_idx'))
        if 'sample_idx' not in metainfo:
            owner += (fallback_index, )
        *folders, stem = sample_parts(metainfo, fallback_index)
        name = (*folders, stem + suffix)
        if self._owners.setdefault(name, owner) != owner:
            index = metainfo.get('sample_idx', fallback_index)
            name = (*folders, f'{stem}_{index}{suffix}')
            self._owners.setdefault(name, owner)
        return name
