"""Stage 1: the label sheets of the data sets into normalized annotations.

Pure Python on openpyxl and the standard library (no torch, no mmaction,
not even pandas), so ``tools/data/build_annotations.py`` starts fast and
every other stage can read the annotation contract without heavy imports.

* :mod:`.registry`: the data sets (one module each: :mod:`.casme2`,
  :mod:`.samm`, :mod:`.casme3`, :mod:`.smic`, :mod:`.megc2019`);
* :mod:`.schema`, :mod:`.annotation_file`: the normalized file, its rules,
  the one loader and the atomic writer;
* :mod:`.layouts`: where a sample's frames are (frame-path layouts);
* :mod:`.class_sets`: the classes of each class set;
* :mod:`.tables`, :mod:`.sheet_conversion`, :mod:`.row_rules`,
  :mod:`.report`: reading sheets and the rules for irregular rows.

Example:
    >>> from mmaction_tsfmicro.annotations import (
    ...     convert, write_annotation_file)
    >>> records, report = convert('casme2', 'CASME2-coding-20190701.xlsx', 5)
    >>> print(report.summary(records))
    >>> write_annotation_file('casme2_5cls.json', records,
    ...                       report.metainfo(records))
"""
import os
from typing import List, Mapping, Sequence, Tuple, Union

from .annotation_file import (check_output_path, load_annotation_file,
                              read_subjects, validate_annotation,
                              write_annotation_file)
from .class_sets import (CLASS_SETS, DATASET_CLASS_SETS, EMOTION_WORDS,
                         class_set_for, mapping_rows, mapping_table)
from .errors import AnnotationError
from .megc2019 import identify_sheet
from .registry import (DATASET_SPECS, dataset_names, default_layout,
                       get_dataset, register_dataset)
from .report import RULES, ConversionReport
from .schema import Sample, subject_keys
from .spec import ClassSet, DatasetSpec

Sheets = Union[str, os.PathLike, Sequence[str], Mapping[str, str]]


def convert(dataset: str,
            sheets: Sheets,
            class_set: Union[None, int, str] = None
            ) -> Tuple[List[dict], ConversionReport]:
    """Convert a dataset's official label sheet(s) to normalized records.

    Args:
        dataset (str): A registered data set with a converter
            (``casme2``, ``samm``, ``casme3``, ``megc2019``).
        sheets (str | sequence[str] | dict): The sheet file (one for
            CASME II, SAMM, CAS(ME)^3); for ``megc2019`` the composite list
            and the CASME II and SAMM sheets, optionally a SMIC sheet.
        class_set (int | str, optional): Number of classes or class-set
            name; defaults to the dataset's first set.

    Returns:
        tuple[list[dict], ConversionReport]: The records of ``data_list``
        and the report (``report.summary(records)``,
        ``report.metainfo(records)``).

    Raises:
        AnnotationError: For bad input; the message names the file, row or
            key.
    """
    spec = get_dataset(dataset, convertible=True)
    spec.class_set(class_set)  # an unknown set fails before reading
    if spec.several_sheets:
        return spec.convert(sheets, class_set)
    if isinstance(sheets, Mapping):
        paths = list(sheets.values())
    elif isinstance(sheets, (str, os.PathLike)):
        paths = [sheets]
    else:
        paths = list(sheets)
    if len(paths) != 1:
        raise AnnotationError(
            f'{dataset} takes exactly one sheet, got {len(paths)}: '
            f'{", ".join(map(str, paths)) or "none"}')
    return spec.convert(os.fspath(paths[0]), class_set)


__all__ = [
    'convert', 'AnnotationError', 'CLASS_SETS', 'ClassSet',
    'ConversionReport', 'DATASET_CLASS_SETS', 'DATASET_SPECS', 'DatasetSpec',
    'EMOTION_WORDS', 'RULES', 'Sample', 'check_output_path',
    'class_set_for', 'dataset_names', 'default_layout', 'get_dataset',
    'identify_sheet', 'load_annotation_file', 'mapping_rows',
    'mapping_table', 'read_subjects', 'register_dataset', 'subject_keys',
    'validate_annotation', 'write_annotation_file'
]
