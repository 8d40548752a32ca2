"""Choosing the subjects: the candidates whose faces can carry the AUs.

Every candidate of :data:`.catalogue.CATALOGUE` (or those named by
:attr:`.plans.DemoConfig.sources`) is looked for in its file, in worker
processes when a pool's ``map`` is given; the usable ones become subjects
``sub01``, ``sub02``, ... in the candidates' order, the others are recorded
with the reason (:func:`.face_observation.check_candidate`).
"""
from typing import Callable, Dict, List, Optional, Tuple

from .catalogue import CATALOGUE, find_source, source_record
from .face_observation import (FaceObservation, check_candidate, detect_source,
                               shared_detector)
from .plans import DemoConfig


def _observe_task(name: str) -> Tuple[str, Optional[FaceObservation]]:
    """Find one candidate's face (a worker task)."""
    source = find_source(name)
    if source.same_person_as:
        return name, None
    return name, detect_source(source, shared_detector())


def select_subjects(config: DemoConfig, mapper: Callable = map
                    ) -> Tuple[List[Dict], List[Dict]]:
    """Find the candidates' faces and choose the subjects.

    Args:
        config (DemoConfig): Options (``sources``, ``subjects``,
            ``min_iod``, ``max_yaw``).
        mapper (Callable): ``map``-like function (e.g. a pool's).

    Returns:
        tuple: ``subjects`` (dicts with ``subject``, ``number``, ``source``
        (:class:`FaceSource`), ``face`` (:class:`FaceObservation`)) and
        ``rejected`` (dicts with the source record and the reason).
    """
    if config.sources is not None:
        candidates = [find_source(n) for n in config.sources]
    else:
        candidates = list(CATALOGUE)
    # with a number of subjects asked for, look at candidates in batches
    # until enough are found
    batch = len(candidates) if config.subjects is None else max(
        2, config.subjects)
    found: Dict[str, Optional[FaceObservation]] = {}
    usable = 0
    for i in range(0, len(candidates), batch):
        names = [c.name for c in candidates[i:i + batch]]
        for name, face in mapper(_observe_task, names):
            found[name] = face
            source = find_source(name)
            usable += check_candidate(source, face, config.min_iod,
                                      config.max_yaw) is None
        if config.subjects is not None and usable >= config.subjects:
            break
    subjects, rejected = [], []
    for source in candidates:
        if source.name not in found:
            continue
        face = found[source.name]
        reason = check_candidate(source, face, config.min_iod,
                                 config.max_yaw)
        if reason is None and config.subjects is not None and \
                len(subjects) >= config.subjects:
            reason = f'beyond the {config.subjects} subjects asked for'
        if reason is not None:
            rec = source_record(source)
            rec['reason'] = reason
            if face is not None:
                rec.update(face.summary())
            rejected.append(rec)
            continue
        number = len(subjects) + 1
        subjects.append(dict(subject=f'sub{number:02d}', number=number,
                             source=source, face=face))
    if config.subjects is not None and len(subjects) < config.subjects:
        raise ValueError(
            f'asked for {config.subjects} subjects but only {len(subjects)} '
            'faces are usable: ' + '; '.join(
                f"{r['name']}: {r['reason']}" for r in rejected))
    if not subjects:
        raise ValueError('no usable face found among the demo sources')
    return subjects, rejected
