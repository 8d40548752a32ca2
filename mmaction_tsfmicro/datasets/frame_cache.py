"""A cache of decoded frames shared by processes: decode once, read many.

A LOSO run trains one model per subject, and every fold decodes the same
JPEG frames again, every epoch. A frame cache holds them decoded, as one
memory-mapped ``uint8`` file, built once (``tools/loso.py`` builds it in
its work dir) and read by every fold process and dataloader worker through
the page cache::

    <cache>/frames.u8     the decoded frames, one after the other
    <cache>/index.json    for each frame file: its offset and shape, and
                          the file's size and modification time

The dataset (``MicroExpressionDataset(frame_cache=...)``) or a frame
reader (``LoadFramePair``, ``SelectFramePair``, ``SampleClipFrames``)
takes the cache folder as its ``frame_cache`` argument, so a config shows
which cache its pipelines read (``tools/loso.py`` writes it into each
fold's ``fold_config.py``, on the datasets); a reader looks a frame up
there and decodes the file otherwise.
A cached frame is returned only while its file has the size and the
modification time it had when the cache was built, so a frame changed
since then is read from its file; the cache's name is a digest of every
frame's path, size and time, so a changed data set gets a new cache.

The cached bytes are those the loader decodes (``mmcv.imfrombytes`` with
``flag='color'``, BGR); other flags (e.g. ``'grayscale'``, which libjpeg
decodes differently from a colour conversion) are always read from the
files. Only local files are cached (no ``backend_args``).
"""
import hashlib
import json
import os
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import mmcv
import numpy as np

from ..utils.fileio import atomic_dir, read_json, remove_tree
from ..utils.images import truncation

#: The datasets whose samples carry a ``frame_cache`` for the readers.
CACHED_DATASETS = ('MicroExpressionDataset', )
INDEX_FILE = 'index.json'
DATA_FILE = 'frames.u8'
FORMAT_VERSION = 1


def file_signature(path: str) -> Optional[Tuple[int, int]]:
    """``(size, mtime_ns)`` of a file, or None if it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def decode_color(path: str) -> Optional[np.ndarray]:
    """The frame as the loader decodes it (``flag='color'``, BGR), or None
    when the file is missing, cut short or undecodable (the loader then
    reports it when it reads the file itself)."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return None
    if truncation(data):
        return None
    return mmcv.imfrombytes(data, flag='color', channel_order='bgr')


def cache_digest(paths: Iterable[str], extra: str = '') -> str:
    """The name of the cache of ``paths``: a digest of each path with its
    size and modification time (and ``extra``)."""
    h = hashlib.sha256(f'v{FORMAT_VERSION}\n{extra}\n'.encode())
    for path in sorted(set(paths)):
        h.update(f'{path}\t{file_signature(path)}\n'.encode())
    return h.hexdigest()[:20]


class FrameCache:
    """A built cache, opened for reading.

    Args:
        folder (str): The cache folder (with ``index.json`` and
            ``frames.u8``).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        index_path = osp.join(folder, INDEX_FILE)
        index = read_json(index_path)
        if not isinstance(index, dict) or index.get(
                'version') != FORMAT_VERSION:
            version = index.get('version') if isinstance(index,
                                                         dict) else None
            raise ValueError(f'{index_path}: frame cache of format '
                             f'{version}, expected {FORMAT_VERSION}')
        try:
            self.entries: Dict[str, tuple] = {
                path: (int(offset), tuple(shape), (size, mtime))
                for path, offset, shape, size, mtime in index['frames']
            }
            self.nbytes = int(index['nbytes'])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f'{index_path}: not a frame cache index (its '
                             'frames or nbytes do not read)') from None
        self.info = {k: v for k, v in index.items() if k != 'frames'}
        data_path = osp.join(folder, DATA_FILE)
        size = osp.getsize(data_path) if osp.isfile(data_path) else 0
        if size != max(self.nbytes, 1):
            raise ValueError(
                f'{data_path}: the frame cache is cut short or damaged '
                f'({size} bytes, its index says {max(self.nbytes, 1)})')
        self._data = None
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, path: str) -> bool:
        return osp.abspath(path) in self.entries

    @property
    def data(self) -> np.ndarray:
        """The memory-mapped frames (mapped on first use, so that forked
        processes map it themselves)."""
        if self._data is None:
            self._data = np.memmap(
                osp.join(self.folder, DATA_FILE),
                dtype=np.uint8,
                mode='r',
                shape=(max(self.nbytes, 1), ))
        return self._data

    def get(self, path: str) -> Optional[np.ndarray]:
        """The decoded frame of ``path`` (a new, writable array), or None
        when the cache does not hold it or the file changed since the cache
        was built."""
        path = osp.abspath(path)
        entry = self.entries.get(path)
        if entry is None or file_signature(path) != entry[2]:
            self.misses += 1
            return None
        offset, shape, _ = entry
        self.hits += 1
        count = int(np.prod(shape))
        return np.array(self.data[offset:offset + count]).reshape(shape)


def build_frame_cache(paths: Sequence[str],
                      root: str,
                      extra: str = '',
                      workers: int = 1,
                      keep_others: bool = False) -> Tuple[str, bool]:
    """Build the cache of ``paths`` in ``root`` (or find it built).

    The cache folder is ``root/<digest>`` (:func:`cache_digest`), written
    atomically: a reader sees it whole or not at all; one that does not
    open (a damaged index, a data file cut short) is built again. Frames that cannot
    be decoded are left out (their loader reports them). Other caches in
    ``root`` (of older versions of the frames) are removed unless
    ``keep_others``.

    Args:
        paths (Sequence[str]): The frame files (relative paths are taken
            from the working directory; the cache keeps absolute ones).
        root (str): The folder that holds the caches.
        extra (str): Further text the cache's name depends on.
        workers (int): Decoding threads.
        keep_others (bool): Keep the other caches in ``root``.

    Returns:
        tuple[str, bool]: The cache folder and whether it was built now
        (False: it existed).
    """
    paths = sorted({osp.abspath(p) for p in paths})
    digest = cache_digest(paths, extra)
    folder = osp.join(root, digest)
    built = False
    if osp.isdir(folder):
        try:
            FrameCache(folder)
        except (OSError, ValueError):
            remove_tree(folder)  # damaged (a copy cut short): built again
    if not osp.isfile(osp.join(folder, INDEX_FILE)):
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            frames = list(pool.map(decode_color, paths))
        with atomic_dir(folder) as tmp:
            _write(tmp, paths, frames, digest)
        built = True
    if not keep_others:
        for name in os.listdir(root):
            other = osp.join(root, name)
            if name != digest and not name.startswith('.') and osp.isfile(
                    osp.join(other, INDEX_FILE)):
                remove_tree(other)
    return folder, built


def _write(folder: str, paths: List[str], frames: List[Optional[np.ndarray]],
           digest: str) -> None:
    rows, offset = [], 0
    for path, frame in zip(paths, frames):
        if frame is not None:
            rows.append([path, offset, list(frame.shape)])
            offset += frame.size
    data = np.memmap(
        osp.join(folder, DATA_FILE),
        dtype=np.uint8,
        mode='w+',
        shape=(max(offset, 1), ))
    index_rows = []
    kept = [f for f in frames if f is not None]
    for (path, start, shape), frame in zip(rows, kept):
        data[start:start + frame.size] = frame.reshape(-1)
        size, mtime = file_signature(path)
        index_rows.append([path, start, shape, size, mtime])
    data.flush()
    del data
    index = dict(
        version=FORMAT_VERSION,
        digest=digest,
        num_frames=len(index_rows),
        skipped=len(paths) - len(index_rows),
        nbytes=offset,
        frames=index_rows)
    with open(osp.join(folder, INDEX_FILE), 'w') as f:
        json.dump(index, f)
        f.flush()
        os.fsync(f.fileno())
    with open(osp.join(folder, DATA_FILE), 'rb') as f:
        os.fsync(f.fileno())


_opened: Dict[str, Optional[FrameCache]] = {}


def open_cache(folder: Optional[str]) -> Optional[FrameCache]:
    """The cache in ``folder``, opened once per process, or None (no
    folder given). A cache that cannot be opened is ignored: the frames
    are then read from their files."""
    if not folder:
        return None
    if folder not in _opened:
        try:
            _opened[folder] = FrameCache(folder)
        except (OSError, ValueError, KeyError):
            _opened[folder] = None
    return _opened[folder]
