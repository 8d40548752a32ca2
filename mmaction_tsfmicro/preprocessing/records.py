"""The annotation records that the preprocessing jobs read.

The jobs read the ``data_list`` of a normalized annotation file (see
``tools/data/build_annotations.py``), keep the records of one dataset and
check that each has the fields a clip job needs.
"""
import json
import os.path as osp
from typing import Dict, Iterable, Iterator, List, Optional, Tuple


def load_records(ann: str) -> List[Dict]:
    """Read the ``data_list`` of a normalized annotation file.

    Args:
        ann (str): Path of the annotation JSON.

    Returns:
        list[dict]: The records.
    """
    if not osp.isfile(ann):
        raise FileNotFoundError(f'annotation file not found: {ann}')
    try:
        with open(ann) as f:
            data = json.load(f)
    except ValueError as exc:
        raise ValueError(f'{ann}: not valid JSON ({exc})') from None
    if not isinstance(data, dict) or not isinstance(
            data.get('data_list'), list):
        raise ValueError(f'{ann}: not a normalized annotation file (a dict '
                         'with a "data_list" list)')
    return data['data_list']


def select_records(records: Iterable[Dict],
                   dataset: Optional[str] = None
                   ) -> Iterator[Tuple[int, Dict]]:
    """The records of one dataset that a clip job needs, checked.

    Args:
        records (Iterable[dict]): Records of the normalized annotation file.
        dataset (str, optional): Keep only records of this dataset (records
            without a ``dataset`` key are kept).

    Yields:
        tuple[int, dict]: Each kept record with its index in the file.

    Raises:
        KeyError: A record lacks ``subject``, ``clip``, ``onset`` or
            ``apex``.
    """
    for i, rec in enumerate(records):
        if dataset is not None and rec.get('dataset', dataset) != dataset:
            continue
        missing = [k for k in ('subject', 'clip', 'onset', 'apex')
                   if rec.get(k) is None]
        if missing:
            raise KeyError(f'annotation record {i} lacks {missing}: {rec}')
        yield i, rec


def records_of(ann: str, dataset: str) -> List[Dict]:
    """Load an annotation file and keep the records of ``dataset``.

    Args:
        ann (str): Path of the annotation JSON.
        dataset (str): The records' ``dataset``.

    Returns:
        list[dict]: The records (at least one).

    Raises:
        ValueError: The file holds no record of ``dataset``.
    """
    records = load_records(ann)
    kept = [rec for _, rec in select_records(records, dataset)]
    if not kept:
        found = sorted({str(r.get('dataset')) for r in records})
        raise ValueError(f'{ann}: no record of dataset {dataset!r} '
                         f'(datasets in the file: {", ".join(found)})')
    return kept
