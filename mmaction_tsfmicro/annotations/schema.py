"""The normalized annotation: its record type and the rules it obeys.

One annotation file holds ``{"metainfo": {...}, "data_list": [records]}``
(MMEngine's annotation format). The rules here are the only ones: the
converters check them before writing (:mod:`.annotation_file`), and every
reader (the dataset, the LOSO subject list, the face preprocessing) checks
them when reading, through :func:`~.annotation_file.load_annotation_file`.

A record (:class:`Sample`) names its ``dataset``, ``subject`` and ``clip``,
the ``onset``, ``apex`` and ``offset`` frame numbers (with ``0 < onset <=
apex <= offset``), the dataset's own ``emotion`` word and the ``label``,
an index into ``metainfo.classes``; optionally ``clip_dir`` (the clip's
frame folder when it differs from ``clip``) and ``action_units``.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .errors import AnnotationError

#: Keys of a record, in the order they are written.
RECORD_KEYS = ('dataset', 'subject', 'clip', 'clip_dir', 'onset', 'apex',
               'offset', 'emotion', 'label', 'action_units')
#: Keys every record has, with their types.
RECORD_TYPES: Dict[str, type] = {
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
OPTIONAL_TYPES: Dict[str, type] = {'clip_dir': str, 'action_units': str}


@dataclass
class Sample:
    """One record of the normalized annotation file.

    Args:
        dataset (str): ``casme2``, ``samm``, ``casme3`` or ``smic``.
        subject (str): The subject's folder name (``sub01``, ``006``,
            ``spNO.1``).
        clip (str): The sample's id, unique within its subject. It is the
            clip folder name where each folder holds one sample (CASME II,
            SAMM, SMIC) and ``<folder>_<onset>`` for CAS(ME)^3, whose task
            folders hold several samples.
        clip_dir (str): The clip's frame folder, inside the subject folder
            (the ``{clip}`` of a frame layout).
        onset (int): Onset frame number (as in the frame file names).
        apex (int): Apex frame number.
        offset (int): Offset frame number.
        emotion (str): The dataset's own emotion word, in lower case.
        label (int): Index of the sample's class in ``metainfo.classes``.
        action_units (str, optional): The sheet's action units, as written.
    """

    dataset: str
    subject: str
    clip: str
    clip_dir: str
    onset: int
    apex: int
    offset: int
    emotion: str
    label: int
    action_units: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        """The JSON record (``action_units`` only where the sheet has
        them)."""
        record = {k: getattr(self, k) for k in RECORD_KEYS}
        if record['action_units'] is None:
            del record['action_units']
        return record


def record_name(record: Mapping[str, Any]) -> str:
    """``dataset/subject/clip`` of a record, for messages."""
    return '/'.join(
        str(record.get(k, '?')) for k in ('dataset', 'subject', 'clip'))


def _type_error(where: str, key: str, kind: type, value: Any) -> str:
    return f'{where}: "{key}" must be {kind.__name__}, got {value!r}'


def check_record(record: Any, where: str, num_classes: int) -> None:
    """Check one record.

    Args:
        record (Any): The parsed record.
        where (str): Where it is, for messages (``FILE: data_list[3]``).
        num_classes (int): The number of classes ``label`` indexes.

    Raises:
        AnnotationError: Naming the key at fault.
    """
    if not isinstance(record, dict):
        raise AnnotationError(f'{where} is not an object')
    for key, kind in RECORD_TYPES.items():
        if key not in record:
            raise AnnotationError(f'{where} lacks "{key}"')
        value = record[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise AnnotationError(_type_error(where, key, kind, value))
    where += f' ({record_name(record)})'
    onset, apex, offset = record['onset'], record['apex'], record['offset']
    if not 0 < onset <= apex <= offset:
        raise AnnotationError(
            f'{where}: frames must satisfy 0 < onset <= apex <= offset, '
            f'got {onset}, {apex}, {offset}')
    if not 0 <= record['label'] < num_classes:
        raise AnnotationError(f'{where}: label {record["label"]} outside '
                              f'0..{num_classes - 1}')
    for key, kind in OPTIONAL_TYPES.items():
        if key in record and not isinstance(record[key], kind):
            raise AnnotationError(_type_error(where, key, kind, record[key]))


def check_classes(metainfo: Mapping[str, Any], source: str) -> List[str]:
    """Check ``metainfo.classes`` (a non-empty list of distinct names).

    Args:
        metainfo (Mapping): The file's metainfo.
        source (str): The file, for messages.

    Returns:
        list[str]: The classes.

    Raises:
        AnnotationError: If they are missing or malformed.
    """
    if 'classes' not in metainfo:
        raise AnnotationError(f'{source}: metainfo lacks "classes"')
    classes = metainfo['classes']
    if not isinstance(classes, list) or not classes or not all(
            isinstance(c, str) and c for c in classes):
        raise AnnotationError(f'{source}: metainfo.classes must be a '
                              f'non-empty list of names, got {classes!r}')
    if len(set(classes)) != len(classes):
        raise AnnotationError(f'{source}: metainfo.classes {classes} names a '
                              'class twice')
    return list(classes)


def check_structure(data: Any, source: str) -> None:
    """Check the top level: a ``metainfo`` object and a ``data_list``.

    Raises:
        AnnotationError: If either is missing.
    """
    if not isinstance(data, dict) or not isinstance(data.get('metainfo'),
                                                    dict):
        raise AnnotationError(f'{source}: no "metainfo" object; not a '
                              'normalized annotation file')
    if not isinstance(data.get('data_list'), list):
        raise AnnotationError(f'{source}: no "data_list" list; not a '
                              'normalized annotation file')


def check_records(records: Sequence[Any], source: str,
                  num_classes: int) -> None:
    """Check every record and that no two share dataset, subject and clip.

    Raises:
        AnnotationError: Naming the first record at fault.
    """
    seen: Dict[tuple, int] = {}
    for i, rec in enumerate(records):
        where = f'{source}: data_list[{i}]'
        check_record(rec, where, num_classes)
        key = (rec['dataset'], rec['subject'], rec['clip'])
        if key in seen:
            raise AnnotationError(
                f'{where} ({record_name(rec)}): same dataset, subject and '
                f'clip as data_list[{seen[key]}]')
        seen[key] = i


def subject_keys(records: Sequence[Mapping[str, Any]]) -> List[str]:
    """The LOSO key of each record.

    A file that holds one dataset keys subjects by their name (``sub01``);
    a composite file by ``<dataset>/<subject>`` (``casme2/sub01``).

    Args:
        records (Sequence[dict]): Normalized annotation records.

    Returns:
        list[str]: One key per record.
    """
    composite = len({str(r['dataset']) for r in records}) > 1
    return [
        f"{r['dataset']}/{r['subject']}" if composite else str(r['subject'])
        for r in records
    ]
