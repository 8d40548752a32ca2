"""The annotation records that the preprocessing jobs read.

The jobs read the ``data_list`` of a normalized annotation file through the
plugin's one loader (:func:`~mmaction_tsfmicro.annotations.
load_annotation_file`), which checks every record with the rules the
converters write by, and keep the records of one dataset.
"""
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from ..annotations import AnnotationError, load_annotation_file


def select_records(records: Iterable[Dict],
                   dataset: Optional[str] = None
                   ) -> Iterator[Tuple[int, Dict]]:
    """The records of one dataset.

    Args:
        records (Iterable[dict]): Records of a normalized annotation file
            (checked when the file was read).
        dataset (str, optional): Keep only records of this dataset.

    Yields:
        tuple[int, dict]: Each kept record with its index in the file.
    """
    for i, rec in enumerate(records):
        if dataset is None or rec['dataset'] == dataset:
            yield i, rec


def records_of(ann: str, dataset: str) -> List[Dict]:
    """Load an annotation file and keep the records of ``dataset``.

    Args:
        ann (str): Path of the annotation JSON.
        dataset (str): The records' ``dataset``.

    Returns:
        list[dict]: The records (at least one).

    Raises:
        AnnotationError: For a file the loader refuses, or one that holds
            no record of ``dataset``.
    """
    records = load_annotation_file(ann)['data_list']
    kept = [rec for _, rec in select_records(records, dataset)]
    if not kept:
        found = sorted({str(r['dataset']) for r in records})
        raise AnnotationError(f'{ann}: no record of dataset {dataset!r} '
                              f'(datasets in the file: {", ".join(found)})')
    return kept
