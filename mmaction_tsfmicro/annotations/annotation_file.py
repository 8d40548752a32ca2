"""The normalized annotation file: the one loader and the atomic writer.

The file is MMEngine's annotation format (``BaseDataset`` reads it):
``{"metainfo": {...}, "data_list": [records]}``; its rules are those of
:mod:`.schema`, checked in :func:`validate_annotation` both before a file is
written and when it is read. See docs/architecture.md and
docs/annotations.md.
"""
import json
import os.path as osp
from typing import Any, Dict, List, Sequence

from ..utils import fileio
from ..utils.fileio import atomic_path
from .errors import AnnotationError
from .registry import CLASS_SETS
from .schema import check_classes, check_records, check_structure, subject_keys

#: Metainfo keys the converters always write.
METAINFO_KEYS = ('dataset_name', 'class_set', 'classes')


def check_output_path(path: str) -> None:
    """Fail with one line if ``path`` cannot be written as a file (a
    missing output folder is created when the file is written).

    Raises:
        AnnotationError: If ``path`` is a directory, or the nearest
            existing folder above it is a file or not writable.
    """
    try:
        fileio.check_output_path(path)
    except fileio.OutputPathError as e:
        raise AnnotationError(str(e)) from None


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
    with atomic_path(path) as tmp:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(dumps_annotation(data))


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
    """Check a normalized annotation (the rules of :mod:`.schema`).

    ``metainfo.classes`` is required; ``metainfo.class_set``, when given,
    must name a registered class set (:mod:`.registry`) whose classes are
    ``metainfo.classes`` and which covers every record's dataset. (A file
    of one's own data without a ``class_set`` is checked against its
    ``classes`` alone.)

    Args:
        data (Any): The parsed JSON.
        source (str): The file name, for messages.

    Raises:
        AnnotationError: Naming the first key or record at fault.
    """
    check_structure(data, source)
    meta = data['metainfo']
    classes = check_classes(meta, source)
    name = meta.get('class_set')
    if name is not None:
        if name not in CLASS_SETS:
            raise AnnotationError(f'{source}: metainfo.class_set {name!r} is '
                                  f'not one of {", ".join(CLASS_SETS)}')
        expected = list(CLASS_SETS[name].classes)
        if classes != expected:
            raise AnnotationError(
                f'{source}: metainfo.classes {classes} differ from the '
                f'{name} classes {expected}')
    check_records(data['data_list'], source, len(classes))
    if name is not None:
        covered = CLASS_SETS[name].datasets
        for i, rec in enumerate(data['data_list']):
            if rec['dataset'] not in covered:
                raise AnnotationError(
                    f'{source}: data_list[{i}] ({rec["dataset"]}/'
                    f'{rec["subject"]}/{rec["clip"]}): dataset '
                    f'{rec["dataset"]!r} is not covered by {name}')


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
        if osp.isdir(path):
            raise AnnotationError(f'{path}: is a directory, not an '
                                  'annotation file')
        raise AnnotationError(f'{path}: file not found')
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AnnotationError(f'{path}: not valid JSON ({e})') from None
    validate_annotation(data, path)
    return data


def read_subjects(path: str) -> List[str]:
    """The sorted LOSO subject keys of a normalized annotation file.

    Args:
        path (str): The annotation file.

    Returns:
        list[str]: Sorted unique subject keys (see
        :func:`~.schema.subject_keys`).
    """
    return sorted(set(subject_keys(load_annotation_file(path)['data_list'])))
