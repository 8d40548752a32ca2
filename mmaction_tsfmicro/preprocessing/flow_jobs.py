"""Onset-to-apex flow of every annotated sample, saved for flow models.

Each sample's onset and apex frames are read from a frame root (normally
the aligned crops of ``tools/data/preprocess_faces.py``), the flow from
onset to apex and its optical strain are computed, and the ``u, v, strain``
array is saved at :data:`.flow.FLOW_PATH_TMPL` (float16 ``.npy``). A root
holds one method only: ``flow_meta.json`` records the method and its
options, and a run with another method is refused.
"""
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import cv2

from ..annotations.layouts import frame_path, get_template
from ..utils.fileio import read_json, write_json
from ..utils.processes import imap_processes
from .clip_spec import ClipResult
from .flow import (FLOW_CHANNELS, FLOW_META_FILE, FLOW_PATH_TMPL,
                   FlowEstimator, flow_file_complete, flow_path, flow_sample,
                   save_flow)
from .image_io import FrameReadError, read_image
from .records import select_records


@dataclass
class FlowConfig:
    """Settings of a flow run.

    Args:
        src (str): Frame root (aligned crops).
        dst (str): Flow root.
        layout (str): Frame layout of ``src``.
        method (str): Flow method (:data:`.flow.FLOW_METHODS`).
        options (dict): Method options (:class:`.flow.FlowEstimator`).
        overwrite (bool): Recompute samples whose file exists.
    """

    src: str
    dst: str
    layout: str
    method: str = 'tvl1'
    options: Dict = field(default_factory=dict)
    overwrite: bool = False

    def __post_init__(self) -> None:
        get_template(self.layout)


def flow_samples(records: Iterable[Dict],
                 dataset: Optional[str] = None) -> List[Dict]:
    """Return the distinct (subject, clip, onset, apex) samples of records.

    Args:
        records (Iterable[dict]): Normalized annotation records.
        dataset (str, optional): Keep only records of this dataset.

    Returns:
        list[dict]: ``dataset, subject, clip, clip_dir, onset, apex`` of each
        sample (``clip_dir``, the frame folder, defaults to ``clip``).
    """
    out, seen = [], set()
    for _, rec in select_records(records, dataset):
        sample = dict(
            dataset=rec['dataset'],
            subject=rec['subject'],
            clip=rec['clip'],
            clip_dir=rec.get('clip_dir') or rec['clip'],
            onset=rec['onset'],
            apex=rec['apex'])
        key = (sample['subject'], sample['clip'], sample['onset'],
               sample['apex'])
        if key not in seen:
            seen.add(key)
            out.append(sample)
    return out


def sample_key(sample: Dict) -> str:
    """``subject/clip onset-apex``, the name used in reports."""
    return (f"{sample['subject']}/{sample['clip']} "
            f"{sample['onset']}-{sample['apex']}")


def check_meta(cfg: FlowConfig) -> None:
    """Write ``flow_meta.json`` or check that it matches this run.

    Raises:
        ValueError: If the root already holds flow of another method or
            with other options.
    """
    meta = dict(
        method=cfg.method,
        options=cfg.options,
        channels=list(FLOW_CHANNELS),
        dtype='float16',
        path_template=FLOW_PATH_TMPL,
        frames_layout=get_template(cfg.layout),
        src=osp.abspath(cfg.src))
    path = osp.join(cfg.dst, FLOW_META_FILE)
    if osp.isfile(path):
        old = read_json(path)
        if (old.get('method'), old.get('options')) != (cfg.method,
                                                       cfg.options):
            raise ValueError(
                f'{path}: this folder holds {old.get("method")} flow with '
                f'options {old.get("options")}; use another --dst for '
                f'{cfg.method} with options {cfg.options}')
        if not cfg.overwrite:
            return
    # the options come from the command line and may be infinite
    write_json(path, meta, allow_nan=True)


def flow_job(sample: Dict, cfg: FlowConfig,
             estimator: FlowEstimator) -> ClipResult:
    """Compute and save the flow of one sample.

    Args:
        sample (dict): From :func:`flow_samples`.
        cfg (FlowConfig): Run settings.
        estimator (FlowEstimator): The flow method.

    Returns:
        ClipResult: ``done``, ``skipped`` (file exists) or ``failed``.
    """
    start = time.perf_counter()
    key = sample_key(sample)
    out = flow_path(cfg.dst, sample)
    if osp.isfile(out) and not cfg.overwrite:
        if flow_file_complete(out):
            return ClipResult(key, 'skipped', 'already done')
        # cut short (a half-copied folder): computed again below
    images = []
    for role in ('onset', 'apex'):
        path = frame_path(cfg.layout, cfg.src, sample['subject'],
                          sample['clip_dir'], sample[role])
        try:
            image = read_image(path, cv2.IMREAD_GRAYSCALE,
                               f'{role} frame {sample[role]}')
        except FrameReadError as e:
            return ClipResult(key, 'failed', str(e))
        images.append(image)
    if images[0].shape != images[1].shape:
        return ClipResult(
            key, 'failed', f'onset and apex frames differ in size '
            f'{images[0].shape} vs {images[1].shape}')
    try:
        save_flow(out, flow_sample(images[0], images[1], estimator))
    except (ValueError, OSError) as exc:
        return ClipResult(key, 'failed', str(exc))
    return ClipResult(key, 'done', num_frames=2,
                      seconds=time.perf_counter() - start)


_WORKER: Dict = {}


def _init_worker(cfg: FlowConfig) -> None:
    cv2.setNumThreads(1)
    _WORKER['cfg'] = cfg
    _WORKER['estimator'] = FlowEstimator(cfg.method, **cfg.options)


def _run_one(sample: Dict) -> ClipResult:
    return flow_job(sample, _WORKER['cfg'], _WORKER['estimator'])


def run_flow(samples: Sequence[Dict],
             cfg: FlowConfig,
             workers: int = 1,
             progress: bool = True,
             on_result: Optional[Callable[[ClipResult], None]] = None
             ) -> List[ClipResult]:
    """Compute the flow of every sample; one result per sample, in order.

    Args:
        samples (Sequence[dict]): From :func:`flow_samples`.
        cfg (FlowConfig): Run settings.
        workers (int): Worker processes; 1 runs in this process.
        progress (bool): Show a tqdm progress bar.
        on_result (callable, optional): Called with each result.

    Returns:
        list[ClipResult]: The results.
    """
    from tqdm import tqdm

    check_meta(cfg)
    results: Dict[str, ClipResult] = {}
    bar = tqdm(total=len(samples), unit='sample', disable=not progress,
               dynamic_ncols=True)

    def record(result: ClipResult) -> None:
        results[result.key] = result
        bar.update(1)
        if on_result is not None:
            on_result(result)

    workers = min(workers, len(samples))
    try:
        if workers <= 1:
            estimator = FlowEstimator(cfg.method, **cfg.options)
            for sample in samples:
                record(flow_job(sample, cfg, estimator))
        else:
            for result in imap_processes(_run_one, samples, workers,
                                         initializer=_init_worker,
                                         initargs=(cfg, )):
                record(result)
    finally:
        bar.close()
    return [results[sample_key(s)] for s in samples]
