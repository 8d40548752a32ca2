"""The skeleton every generated set shares: its folder, manifest, resume
and worker processes.

A set is made of *units* (a subject of the clip set, a video of the
long-video set), each rendered by a worker task into its own folder,
atomically, with a JSON record written into ``.parts/`` before the folder
is renamed into place. :class:`SetBuilder` does the rest, the same way for
every set:

1. refuses a folder holding a set made with other options (the options
   decide the content), or clears it with ``overwrite``;
2. chooses the content (:meth:`SetBuilder.prepare`) and writes the
   manifest, marked incomplete, before any frame;
3. renders the units not yet complete, in worker processes;
4. writes what describes the whole set (sheet, annotation, README) and the
   complete manifest (:meth:`SetBuilder.finish`).

A re-run with the same options skips the complete units, so an interrupted
run is resumed by running it again.
"""
import multiprocessing
import os
import os.path as osp
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import cv2

from mmaction_tsfmicro.utils.fileio import read_json, remove_tree, write_json

MANIFEST_FILE = 'manifest.json'
README_FILE = 'README.md'
PARTS_DIR = '.parts'


class SetOptions:
    """What the options of a generated set share: they are written into its
    manifest (:meth:`to_dict`) and read back from it (:meth:`from_dict`).

    A subclass is a frozen dataclass that sets ``generator_version``,
    bumped whenever the same options would give different frames.
    """

    generator_version = 1

    def to_dict(self) -> Dict:
        """The options as JSON-friendly values, with the version."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        out['generator_version'] = self.generator_version
        return out

    @classmethod
    def from_dict(cls, data: Dict):
        """Rebuild options from :meth:`to_dict` output."""
        kwargs = {}
        for f in fields(cls):
            if f.name in data:
                value = data[f.name]
                kwargs[f.name] = tuple(value) if isinstance(value,
                                                            list) else value
        return cls(**kwargs)


class DemoOptionsError(RuntimeError):
    """The output folder holds a set made with other options, or something
    that is not a set."""


def init_worker() -> None:
    """Quiet, single-threaded OpenCV and MediaPipe in a worker."""
    os.environ.setdefault('GLOG_minloglevel', '2')
    cv2.setNumThreads(1)


def make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a fresh server process.

    Not forked from this process: it may hold a running MediaPipe graph
    (threads do not survive a fork), and not spawned one by one: the server
    imports this module (and with it the modules of the worker tasks) once
    and every worker starts from it.
    """
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=init_worker)


def part_path(out_dir: str, key: str) -> str:
    """The JSON record a unit's worker writes when it is done."""
    return osp.join(out_dir, PARTS_DIR, f'{key}.json')


class SetBuilder:
    """Build (or complete) one generated set in ``out_dir``.

    Subclasses say what the set is; :meth:`run` is the same for all.

    Args:
        out_dir (str): Output folder (created if needed).
        config: The set's options (a dataclass with ``to_dict``); they
            decide the content.
        workers (int): Worker processes (1: run in this process).
        overwrite (bool): Replace a set made with other options.
        log (Callable, optional): Progress messages; None for silence.
    """

    #: What the set is called in messages (``a demo data set``).
    what = 'a generated set'

    def __init__(self, out_dir: str, config, workers: int = 2,
                 overwrite: bool = False,
                 log: Optional[Callable[[str], None]] = print) -> None:
        self.out_dir = out_dir
        self.config = config
        self.workers = workers
        self.overwrite = overwrite
        self.log = log or (lambda msg: None)

    # What a set says about itself ------------------------------------

    def prepare(self, mapper: Callable) -> None:
        """Choose the content (subjects, plans); ``mapper`` maps a function
        over the workers."""
        raise NotImplementedError

    def manifest(self, parts: Optional[Dict[str, Dict]]) -> Dict:
        """The manifest; ``parts`` (the units' records) when complete."""
        raise NotImplementedError

    def units(self) -> List[Tuple[str, str, Callable, Dict]]:
        """Every unit: ``(key, folder, render, task)``; ``render(task)``
        writes ``folder`` and the record ``task['part']``."""
        raise NotImplementedError

    def finish(self, parts: Dict[str, Dict]) -> Dict[str, int]:
        """Write what describes the whole set; return its counts (in the
        order the last log line lists them)."""
        raise NotImplementedError

    def owned_names(self, manifest: Dict) -> Iterable[str]:
        """The names in the folder that a set with this manifest owns (what
        ``overwrite`` removes)."""
        return (MANIFEST_FILE, README_FILE, PARTS_DIR)

    def is_leftover(self, name: str) -> bool:
        """Whether a name in the folder is what an interrupted run left:
        a temporary folder of :func:`~mmaction_tsfmicro.utils.fileio.
        atomic_dir` or a temporary file of :func:`~mmaction_tsfmicro.utils.
        fileio.atomic_path` (``.NAME.partial``, ``.NAME.old``,
        ``.NAME.*.tmp.EXT``)."""
        return name.startswith('.') and name != PARTS_DIR and (
            name.endswith(('.partial', '.old')) or '.tmp' in name)

    def check_content(self) -> None:
        """Refuse to complete a set whose content differs from what
        :meth:`prepare` chose now (for content found on the machine)."""

    def describe(self, part: Dict) -> str:
        """The log line of a rendered unit (its record)."""
        raise NotImplementedError

    # The same for every set -----------------------------------------

    def check_folder(self) -> None:
        """Refuse a folder holding another set, or clear it with
        ``overwrite``."""
        out_dir, options = self.out_dir, self.config.to_dict()
        if not osp.isdir(out_dir):
            return
        manifest_path = osp.join(out_dir, MANIFEST_FILE)
        if osp.isfile(manifest_path):
            old = read_json(manifest_path)
            old_options = old.get('options', {})
            if old_options == options:
                return
            if not self.overwrite:
                diff = sorted(k for k in set(old_options) | set(options)
                              if old_options.get(k) != options.get(k))
                detail = ', '.join(f'{k}: {old_options.get(k)!r} -> '
                                   f'{options.get(k)!r}' for k in diff)
                raise DemoOptionsError(
                    f'{out_dir} holds {self.what} made with other options '
                    f'({detail}); pass --overwrite to replace it or choose '
                    'another --out folder')
            for name in self.owned_names(old):
                remove_tree(osp.join(out_dir, name))
            return
        if [n for n in os.listdir(out_dir)
                if n != PARTS_DIR and not self.is_leftover(n)]:
            raise DemoOptionsError(
                f'{out_dir} is not empty and holds no demo manifest '
                f'({MANIFEST_FILE}); choose an empty or new --out folder')

    def clear_leftovers(self) -> None:
        """Make the folders and remove what an interrupted run left."""
        os.makedirs(osp.join(self.out_dir, PARTS_DIR), exist_ok=True)
        for name in os.listdir(self.out_dir):
            if self.is_leftover(name):
                remove_tree(osp.join(self.out_dir, name))

    def run(self) -> Dict:
        """Build or complete the set.

        Returns:
            dict: The counts of :meth:`finish`, ``frames`` and ``bytes``
            written in this run, ``skipped`` (the keys of the units
            already complete) and ``seconds``.
        """
        t0 = time.perf_counter()
        self.check_folder()
        pool = make_pool(self.workers) if self.workers > 1 else None
        if pool is None:
            init_worker()
        try:
            self.prepare(pool.map if pool is not None else map)
            self.check_content()
            self.clear_leftovers()
            write_json(osp.join(self.out_dir, MANIFEST_FILE),
                       self.manifest(None))
            units = self.units()
            pending, skipped = [], []
            for key, folder, render, task in units:
                if osp.isdir(folder) and osp.isfile(
                        part_path(self.out_dir, key)):
                    skipped.append(key)
                else:
                    pending.append((render, dict(
                        task, part=part_path(self.out_dir, key))))
            if skipped:
                self.log(f'already complete, skipped: {", ".join(skipped)}')
            frames = nbytes = 0
            results = (pool.map(_render, pending) if pool is not None else
                       map(_render, pending))
            for part in results:
                frames += part['frames']
                nbytes += part['bytes']
                self.log(self.describe(part))
        finally:
            if pool is not None:
                # after an error (a full disk), the units not started are
                # dropped, not run only to fail too
                pool.shutdown(cancel_futures=True)
        parts = {key: read_json(part_path(self.out_dir, key))
                 for key, _, _, _ in units}
        counts = self.finish(parts)
        write_json(osp.join(self.out_dir, MANIFEST_FILE),
                   self.manifest(parts))
        seconds = time.perf_counter() - t0
        self.log(f'done in {seconds:.1f} s: ' + ', '.join(
            f'{n} {name}' for name, n in counts.items()) +
            f' ({frames} frames written now)')
        return dict(counts, frames=frames, bytes=nbytes, skipped=skipped,
                    seconds=seconds)


def _render(item: Tuple[Callable, Dict]) -> Dict:
    render, task = item
    return render(task)
