"""Run the per-clip face alignment over many clips, in parallel.

Each worker process builds its own detector once (MediaPipe and dlib objects
cannot be shared between processes); clips already done are skipped in the
main process without building a detector.
"""
from typing import Callable, Dict, List, Optional, Sequence

from ..utils.fileio import write_json
from ..utils.processes import imap_processes
from .clip_job import process_clip
from .clip_spec import ClipResult, ClipSpec, PreprocessConfig, is_done
from .landmarks import LandmarkDetector, build_detector, check_backend
from .summary import count_results

_WORKER: Dict = {}


def _init_worker(cfg: PreprocessConfig, detector: str,
                 detector_kwargs: Dict) -> None:
    _WORKER['cfg'] = cfg
    try:
        _WORKER['detector'] = build_detector(detector, **detector_kwargs)
    except Exception as exc:  # reported for each clip, not as a broken pool
        _WORKER['error'] = f'cannot build the {detector!r} detector: {exc}'


def _run_one(spec: ClipSpec) -> ClipResult:
    if 'error' in _WORKER:
        return ClipResult(spec.key, 'failed', _WORKER['error'])
    return process_clip(spec, _WORKER['cfg'], _WORKER['detector'])


def run_clips(specs: Sequence[ClipSpec],
              cfg: PreprocessConfig,
              detector: str = 'mediapipe',
              detector_kwargs: Optional[Dict] = None,
              workers: int = 1,
              progress: bool = True,
              on_result: Optional[Callable[[ClipResult], None]] = None
              ) -> List[ClipResult]:
    """Align every clip; return one result per clip, in input order.

    Args:
        specs (Sequence[ClipSpec]): Clips to process.
        cfg (PreprocessConfig): Run settings.
        detector (str): Detector name (:func:`.landmarks.build_detector`).
        detector_kwargs (dict, optional): Detector arguments.
        workers (int): Worker processes; 1 runs in this process.
        progress (bool): Show a tqdm progress bar.
        on_result (callable, optional): Called with each result as it comes.

    Returns:
        list[ClipResult]: The results.

    Raises:
        MissingBackendError: If the detector's packages are missing (checked
            before any clip is started).
    """
    from tqdm import tqdm

    detector_kwargs = detector_kwargs or {}
    results: Dict[str, ClipResult] = {}
    pending = []
    for spec in specs:
        if is_done(spec, cfg) and not cfg.overwrite:
            results[spec.key] = ClipResult(spec.key, 'skipped',
                                           'already done')
        else:
            pending.append(spec)
    bar = tqdm(total=len(specs), initial=len(results), unit='clip',
               disable=not progress, dynamic_ncols=True)

    def record(result: ClipResult) -> None:
        results[result.key] = result
        bar.update(1)
        bar.set_postfix(failed=sum(r.status == 'failed'
                                   for r in results.values()))
        if on_result is not None:
            on_result(result)

    workers = min(workers, len(pending))
    if pending:
        check_backend(detector)
    try:
        if pending and workers <= 1:
            det: LandmarkDetector = build_detector(detector,
                                                   **detector_kwargs)
            try:
                for spec in pending:
                    record(process_clip(spec, cfg, det))
            finally:
                det.close()
        elif pending:
            for result in imap_processes(
                    _run_one, pending, workers, initializer=_init_worker,
                    initargs=(cfg, detector, detector_kwargs)):
                record(result)
    finally:
        bar.close()
    return [results[s.key] for s in specs if s.key in results]


def write_report(path: str, results: Sequence[ClipResult],
                 extra: Optional[Dict] = None) -> None:
    """Write the run's results as JSON, atomically.

    Args:
        path (str): Output file.
        results (Sequence[ClipResult]): Results of :func:`run_clips`.
        extra (dict, optional): More top-level fields (settings).
    """
    data = dict(extra or {})
    data['counts'] = count_results(results)
    data['clips'] = [vars(r) for r in results]
    # the settings may hold an infinite --max-shift: JSON's Infinity
    write_json(path, data, allow_nan=True)
