"""Writing (atomically) and reading the normalized annotation file.

The file is MMEngine's annotation format (``BaseDataset`` reads it):
``{"metainfo": {...}, "data_list": [records]}``; see docs/architecture.md
and docs/annotations.md.
"""
import json
import os
import os.path as osp
import tempfile
from typing import Any, Dict, Sequence

from .class_sets import CLASS_SETS
from .common import AnnotationError

#: Keys every record has, with their types.
RECORD_TYPES = {
    'dataset': str,
    'subject': str,
    'clip': str,
    'onset': int,
    'apex': int,
    'offset': int,
    'emotion': str,
    'label': int,
}
#: Keys a record may have (``clip_dir`` defaults to ``clip``).
OPTIONAL_TYPES = {'clip_dir': str, 'action_units': str}
METAINFO_KEYS = ('dataset_name', 'class_set', 'classes')


def check_output_path(path: str) -> None:
    """Fail with one line if ``path`` cannot be written as a file.

    Raises:
        AnnotationError: If its directory is missing or it is a directory.
    """
    folder = osp.dirname(osp.abspath(path))
    if not osp.isdir(folder):
        raise AnnotationError(f'{path}: output directory {folder} does not '
                              'exist')
    if osp.isdir(path):
        raise AnnotationError(f'{path}: is a directory, not a file name')
    if not os.access(folder, os.W_OK):
        raise AnnotationError(f'{path}: output directory {folder} is not '
                              'writable')


def write_annotation_file(path: str, records: Sequence[Dict[str, Any]],
                          metainfo: Dict[str, Any]) -> None:
    """Write the annotation file atomically.

    The JSON goes to a temporary file in the same directory, which then
    replaces ``path`` (:func:`os.replace`), so ``path`` is either the old
    file or the complete new one, never half written.

    Args:
        path (str): The output ``.json``.
        records (sequence[dict]): The ``data_list``.
        metainfo (dict): The ``metainfo``.

    Raises:
        AnnotationError: If the output directory is missing, or the data
            does not pass :func:`validate_annotation`.
    """
    check_output_path(path)
    data = {'metainfo': metainfo, 'data_list': list(records)}
    validate_annotation(data, path)
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(dumps_annotation(data))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise


def _dumps(value: Any, level: int = 0) -> str:
    """JSON with nested objects indented and each list item (or a list of
    plain values) on one line."""
    pad = ' ' * (level + 1)
    if isinstance(value, dict) and value:
        items = [f'{pad}{json.dumps(str(k))}: {_dumps(v, level + 1)}'
                 for k, v in value.items()]
        return '{\n' + ',\n'.join(items) + '\n' + ' ' * level + '}'
    if isinstance(value, list) and any(
            isinstance(v, (dict, list)) for v in value):
        items = [pad + json.dumps(v, ensure_ascii=False) for v in value]
        return '[\n' + ',\n'.join(items) + '\n' + ' ' * level + ']'
    return json.dumps(value, ensure_ascii=False)


def dumps_annotation(data: Dict[str, Any]) -> str:
    """The file's text: ``metainfo`` indented, one record per line."""
    return _dumps(data) + '\n'


def validate_annotation(data: Any, source: str = '<annotation>') -> None:
    """Check the structure of a normalized annotation.

    Args:
        data (Any): The parsed JSON.
        source (str): The file name, for messages.

    Raises:
        AnnotationError: Naming the first key or record at fault.
    """
    if not isinstance(data, dict) or not isinstance(data.get('metainfo'),
                                                    dict):
        raise AnnotationError(f'{source}: no "metainfo" object; not a '
                              'normalized annotation file')
    if not isinstance(data.get('data_list'), list):
        raise AnnotationError(f'{source}: no "data_list" list; not a '
                              'normalized annotation file')
    meta = data['metainfo']
    for key in METAINFO_KEYS:
        if key not in meta:
            raise AnnotationError(f'{source}: metainfo lacks "{key}"')
    name = meta['class_set']
    if name not in CLASS_SETS:
        raise AnnotationError(f'{source}: metainfo.class_set {name!r} is '
                              f'not one of {", ".join(CLASS_SETS)}')
    classes = list(CLASS_SETS[name].classes)
    if meta['classes'] != classes:
        raise AnnotationError(f'{source}: metainfo.classes {meta["classes"]}'
                              f' differ from the {name} classes {classes}')
    seen = {}
    for i, rec in enumerate(data['data_list']):
        where = f'{source}: data_list[{i}]'
        if not isinstance(rec, dict):
            raise AnnotationError(f'{where} is not an object')
        for key, kind in RECORD_TYPES.items():
            if key not in rec:
                raise AnnotationError(f'{where} lacks "{key}"')
            value = rec[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise AnnotationError(f'{where}: "{key}" must be '
                                      f'{kind.__name__}, got {value!r}')
        where += f' ({rec["dataset"]}/{rec["subject"]}/{rec["clip"]})'
        if not 0 < rec['onset'] <= rec['apex'] <= rec['offset']:
            raise AnnotationError(
                f'{where}: frames must satisfy 0 < onset <= apex <= offset, '
                f'got {rec["onset"]}, {rec["apex"]}, {rec["offset"]}')
        if not 0 <= rec['label'] < len(classes):
            raise AnnotationError(f'{where}: label {rec["label"]} outside '
                                  f'0..{len(classes) - 1}')
        if rec['dataset'] not in CLASS_SETS[name].datasets:
            raise AnnotationError(f'{where}: dataset {rec["dataset"]!r} is '
                                  f'not covered by {name}')
        for key, kind in OPTIONAL_TYPES.items():
            if key in rec and not isinstance(rec[key], kind):
                raise AnnotationError(f'{where}: "{key}" must be '
                                      f'{kind.__name__}, got {rec[key]!r}')
        key = (rec['dataset'], rec['subject'], rec['clip'])
        if key in seen:
            raise AnnotationError(f'{where}: same dataset, subject and clip '
                                  f'as data_list[{seen[key]}]')
        seen[key] = i


def load_annotation_file(path: str) -> Dict[str, Any]:
    """Read and check a normalized annotation file.

    Args:
        path (str): The ``.json`` written by
            ``tools/data/build_annotations.py``.

    Returns:
        dict: ``{"metainfo": ..., "data_list": [...]}``.

    Raises:
        AnnotationError: For a missing file, invalid JSON or a structure
            :func:`validate_annotation` refuses.
    """
    if not osp.isfile(path):
        raise AnnotationError(f'{path}: file not found')
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AnnotationError(f'{path}: not valid JSON ({e})') from None
    validate_annotation(data, path)
    return data
