"""The frames a LOSO run reads, decoded once into a frame cache.

Every fold of a run reads the same frames of the same annotation file, and
each epoch reads them again. :func:`prepare_frame_cache` finds the frames
the config's pipelines read and builds a
:mod:`~mmaction_tsfmicro.datasets.frame_cache` of them in the work dir
(``DIR/frame_cache/<digest>/``); :func:`use_frame_cache` gives its folder
to the datasets of each fold's config (their ``frame_cache`` argument),
where ``fold_config.py`` shows it. A rerun, a ``--resume`` or another run on the
same frames in the same work dir reuses it; a changed frame file gives a
new digest and a new cache.

The frames of a sample are those its ``SelectFramePair`` can choose: the
annotated onset and apex, every frame of the search window
(``'max_diff'``, ``'jitter'``), or onset to offset
(``'estimated_apex'``). Frames read by other transforms are read from
their files as before.
"""
import copy
import os.path as osp
import time
from typing import Dict, Iterator, List, Optional, Set

from mmengine.config import Config

from ..utils.cli import one_line
from ..utils.fileio import DiskFullError
from ..utils.resources import available_cores
from .subjects import leaf_datasets, set_subjects
from .work_dir import log

#: The folder of the work dir that holds the cache.
CACHE_DIR = 'frame_cache'

_SELECTORS = ('SelectFramePair', 'mmaction.SelectFramePair')


def _selectors(pipeline) -> List:
    from mmaction.registry import TRANSFORMS
    return [
        TRANSFORMS.build(copy.deepcopy(t)) for t in pipeline or []
        if isinstance(t, dict) and t.get('type') in _SELECTORS
    ]


def sample_frames(info: Dict, selector) -> Set[int]:
    """The frame numbers ``selector`` (a ``SelectFramePair``) may pick for
    a sample (``onset_frame``, ``apex_frame``, ``offset_frame``)."""
    onset, apex = int(info['onset_frame']), int(info['apex_frame'])
    if selector.mode == 'annotated':
        return {onset, apex}
    if selector.mode in ('max_diff', 'jitter'):
        return {f for pair in selector.candidates(onset, apex) for f in pair}
    offset = int(info.get('offset_frame', apex))
    return set(range(onset, max(offset, apex) + 1))


def _loader_datasets(cfg: Config) -> Iterator[dict]:
    for key in ('train_dataloader', 'test_dataloader', 'val_dataloader'):
        loader = cfg.get(key)
        if loader and loader.get('dataset'):
            yield from leaf_datasets(loader['dataset'])


def use_frame_cache(cfg: Config, folder: Optional[str]) -> None:
    """Make the datasets of the config's dataloaders
    (:data:`~mmaction_tsfmicro.datasets.frame_cache.CACHED_DATASETS`) give
    their frame readers the cache in ``folder`` (their ``frame_cache``
    argument; one entry a dataset, so that the config stays quick to print).

    Args:
        cfg (Config): A config, changed in place.
        folder (str, optional): The cache folder; None leaves the config
            as it is.
    """
    from ..datasets.frame_cache import CACHED_DATASETS
    if not folder:
        return
    for leaf in _loader_datasets(cfg):
        if str(leaf.get('type', '')).rpartition('.')[2] in CACHED_DATASETS:
            leaf['frame_cache'] = folder


def pipeline_frame_paths(cfg: Config) -> List[str]:
    """Every frame file the config's dataloaders may read through a
    ``SelectFramePair``, over all subjects.

    Args:
        cfg (Config): The LOSO config (with the plugin registered).

    Returns:
        list[str]: Sorted frame paths.
    """
    from mmaction.registry import DATASETS

    from ..annotations.layouts import guess_filename_tmpl
    paths: Set[str] = set()
    seen = set()
    for leaf in _loader_datasets(cfg):
        selectors = _selectors(leaf.get('pipeline'))
        if not selectors:
            continue
        ds_cfg = copy.deepcopy(dict(leaf))
        ds_cfg['pipeline'] = []
        set_subjects(ds_cfg, test=None, exclude=None)
        key = repr(sorted((k, repr(v)) for k, v in ds_cfg.items()))
        modes = tuple((s.mode, s.ratio) for s in selectors)
        if (key, modes) in seen:
            continue
        seen.add((key, modes))
        dataset = DATASETS.build(ds_cfg)
        templates: Dict[str, str] = {}
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            folder = info['frame_dir']
            tmpl = info.get('filename_tmpl')
            if not tmpl:
                if folder not in templates:
                    templates[folder] = guess_filename_tmpl(
                        folder, int(info['onset_frame']))
                tmpl = templates[folder]
            frames = set()
            for selector in selectors:
                frames |= sample_frames(info, selector)
            paths.update(
                osp.join(folder, tmpl.format(int(f))) for f in frames)
    return sorted(paths)


def prepare_frame_cache(cfg: Config, work_dir: str) -> Optional[str]:
    """Build (or reuse) the run's frame cache; return its folder.

    Args:
        cfg (Config): The merged LOSO config.
        work_dir (str): The LOSO work dir.

    Returns:
        str | None: The cache folder, or None when the config reads no
        frames through a ``SelectFramePair``, or the frames cannot be
        listed (the folds then report the problem themselves), or the cache
        cannot be written (a read-only or full disk: the folds read the
        frame files).
    """
    from ..datasets.frame_cache import FrameCache, build_frame_cache
    start = time.time()
    try:
        paths = pipeline_frame_paths(cfg)
    except Exception as e:  # noqa: BLE001 - the folds report it
        log(f'frame cache: not used ({one_line(e)})')
        return None
    if not paths:
        return None
    try:
        folder, built = build_frame_cache(
            paths, osp.join(work_dir, CACHE_DIR), workers=available_cores())
        cache = FrameCache(folder)
    except (OSError, ValueError, DiskFullError) as e:
        # the cache only saves decoding: without it the folds read the
        # frame files
        log(f'frame cache: not used ({one_line(e)})')
        return None
    what = 'built' if built else 'reused'
    log(f'frame cache: {len(cache)} decoded frames ({cache.nbytes / 2**20:.1f}'
        f' MB), {what} in {time.time() - start:.1f} s: '
        f'{osp.relpath(folder)}')
    return folder
