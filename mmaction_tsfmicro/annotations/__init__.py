"""Converters of the micro-expression label sheets to normalized annotations.

Pure Python on openpyxl and the standard library (no torch, no mmaction,
not even pandas), so ``tools/data/build_annotations.py`` starts fast.

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
                              validate_annotation, write_annotation_file)
from .casme2 import convert_casme2
from .casme3 import convert_casme3
from .class_sets import (CLASS_SETS, DATASET_CLASS_SETS, EMOTION_WORDS,
                         ClassSet, class_set_for, mapping_rows,
                         mapping_table)
from .common import (RULES, AnnotationError, ConversionReport, Sample)
from .megc2019 import convert_megc2019, identify_sheet
from .samm import convert_samm

#: Dataset name -> converter.
CONVERTERS = {
    'casme2': convert_casme2,
    'samm': convert_samm,
    'casme3': convert_casme3,
    'megc2019': convert_megc2019,
}

Sheets = Union[str, os.PathLike, Sequence[str], Mapping[str, str]]


def convert(dataset: str,
            sheets: Sheets,
            class_set: Union[None, int, str] = None
            ) -> Tuple[List[dict], ConversionReport]:
    """Convert a dataset's official label sheet(s) to normalized records.

    Args:
        dataset (str): ``casme2``, ``samm``, ``casme3`` or ``megc2019``.
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
    if dataset not in CONVERTERS:
        raise AnnotationError(f'unknown dataset {dataset!r}; choose one of '
                              f'{", ".join(CONVERTERS)}')
    class_set_for(dataset, class_set)  # an unknown set fails before reading
    if dataset == 'megc2019':
        return convert_megc2019(sheets, class_set)
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
    return CONVERTERS[dataset](os.fspath(paths[0]), class_set)


__all__ = [
    'convert', 'CONVERTERS', 'CLASS_SETS', 'DATASET_CLASS_SETS',
    'EMOTION_WORDS', 'ClassSet', 'class_set_for', 'mapping_rows',
    'mapping_table', 'RULES', 'AnnotationError', 'ConversionReport',
    'Sample', 'identify_sheet', 'write_annotation_file',
    'load_annotation_file', 'validate_annotation', 'check_output_path',
    'convert_casme2', 'convert_samm', 'convert_casme3', 'convert_megc2019'
]
