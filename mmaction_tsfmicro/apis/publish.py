"""Released checkpoints: weights, class names and preprocessing, named by
their hash.

:func:`publish_checkpoint` turns a training checkpoint into a release file
``<name>-<sha256[:8]>.pth``: the optimizer, scheduler and message-hub state
are dropped; ``meta`` keeps the training config, the class names and the
face preprocessing the training frames had (the alignment target and
detector of ``tools/data/preprocess_faces.py``'s run report), so that
inference on a new clip prepares it the same way without the user knowing
it. :func:`~mmaction_tsfmicro.engine.checkpoint.read_checkpoint` checks a
release file's hash against its name before it is used;
:mod:`.release_check` compares its predictions with the checkpoint it came
from.
"""
import datetime
import hashlib
import io
import os.path as osp
from typing import Any, Dict, Optional

import torch

from ..engine.checkpoint import CheckpointError, read_checkpoint
from ..utils.fileio import read_json, write_bytes

#: The checkpoint keys a release keeps.
KEPT_KEYS = ('state_dict', 'meta')

#: The released checkpoints by role: the name before their hash.
RELEASES = dict(
    recognizer='tsfmicro_tiny_demo_all-subjects',
    spotter='spotter_tsfmicro-seq_demo-long')


def release_dirs() -> list:
    """Where released checkpoints are: the installed package's
    ``.mim/checkpoints`` (a wheel), then the repository's ``checkpoints``
    (a clone)."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return [osp.join(package, '.mim', 'checkpoints'),
            osp.join(osp.dirname(package), 'checkpoints')]


def released_checkpoint(role: str) -> str:
    """The released checkpoint of a role (:data:`RELEASES`).

    Raises:
        FileNotFoundError: If no such file is installed, naming where it
            was looked for.
    """
    import glob
    name = RELEASES[role]
    for folder in release_dirs():
        found = sorted(glob.glob(osp.join(folder, f'{name}-*.pth')))
        if found:
            return found[-1]
    raise FileNotFoundError(
        f'no released {role} ({name}-*.pth) in '
        f'{" or ".join(release_dirs())}; give one with --{role}')

def preprocessing_from_report(report_path: str) -> Dict[str, Any]:
    """The face preprocessing of a ``preprocess_faces.py`` run report.

    Args:
        report_path (str): The run's ``preprocess_report.json``.

    Returns:
        dict: ``alignment`` (the target: ``size``, ``eye_y``, ``eye_dist``,
        ``nose_y``, ``use_nose``), ``detector`` and ``max_shift``.
    """
    report = read_json(report_path)
    missing = [k for k in ('target', 'detector') if k not in report]
    if missing:
        raise CheckpointError(f'{report_path}: not a preprocess_faces.py '
                              f'run report (no {missing[0]!r})')
    return dict(alignment=dict(report['target']),
                detector=report['detector'],
                max_shift=report.get('max_shift'))


def publish_checkpoint(src: str,
                       out: str,
                       preprocessing: Optional[Dict[str, Any]] = None,
                       extra_meta: Optional[Dict[str, Any]] = None) -> str:
    """Write the release file of a training checkpoint.

    Args:
        src (str): A checkpoint written by MMEngine's Runner.
        out (str): ``DIR/name`` (or ``DIR/name.pth``); ``-<sha256[:8]>.pth``
            is appended.
        preprocessing (dict, optional): The face preprocessing of the
            training frames (:func:`preprocessing_from_report`); None for
            frames that were not aligned by the plugin.
        extra_meta (dict, optional): More ``meta`` entries (e.g. a
            description of the training data).

    Returns:
        str: The path written.

    Raises:
        CheckpointError: If ``src`` is not a Runner checkpoint with the
            dataset's class names.
    """
    stem = out[:-4] if out.endswith('.pth') else out
    if not osp.basename(stem) or osp.isdir(out):
        raise CheckpointError(
            f'{out}: a folder; give the release a name in it, e.g. '
            f'{osp.join(out, osp.splitext(osp.basename(src))[0])}')
    ckpt = read_checkpoint(src)
    meta = dict(ckpt.get('meta') or {})
    classes = (meta.get('dataset_meta') or {}).get('classes')
    if not classes:
        raise CheckpointError(f'{src}: its meta names no classes (not '
                              "written by a Runner with the dataset's "
                              'metainfo)')
    import mmaction_tsfmicro
    meta.update(
        classes=list(classes),
        preprocessing=preprocessing,
        published=datetime.datetime.now().astimezone().isoformat(
            timespec='seconds'),
        published_from=osp.basename(src),
        mmaction_tsfmicro=mmaction_tsfmicro.__version__,
        **(extra_meta or {}))
    release = dict(
        state_dict={k: v.detach().clone()
                    for k, v in ckpt['state_dict'].items()},
        meta=meta)
    buffer = io.BytesIO()
    torch.save(release, buffer)
    data = buffer.getvalue()
    final = f'{stem}-{hashlib.sha256(data).hexdigest()[:8]}.pth'
    write_bytes(final, data)
    return final
