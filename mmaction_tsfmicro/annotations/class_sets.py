"""The class sets: looking them up, and the word-to-class tables.

Each data set declares its class sets in its own module (e.g.
:data:`.casme2.CLASS_SETS`); the registry (:mod:`.registry`) collects them.
Each dataset labels its samples with its own emotion words
(:data:`EMOTION_WORDS`). A class set (:data:`CLASS_SETS`) names an ordered
list of classes and, for every dataset it covers, maps each of that
dataset's words to a class, or to ``None`` when samples with that word are
left out of the set. The class order is fixed: a sample's ``label`` is the
index of its class in ``classes``.

=============  ==========  ===================================================
class set      datasets    classes (label 0, 1, ...)
=============  ==========  ===================================================
``casme2_5``   casme2      happiness, disgust, repression, surprise, others
``samm_5``     samm        anger, contempt, happiness, surprise, other
``casme3_7``   casme3      happy, disgust, fear, anger, sad, surprise, others
``casme3_4``   casme3      positive, negative, surprise, others
``megc2019_3`` casme2,     negative, positive, surprise
               samm, smic
=============  ==========  ===================================================

The MEGC 2019 composite follows its challenge definition (negative =
repression, anger, contempt, disgust, fear, sadness; positive = happiness;
surprise = surprise) and the labels 0, 1, 2 of its ground-truth list
``combined_3class_gt.csv``. The CAS(ME)^3 4-class set follows its paper and
MMNet: positive = happy; negative = disgust, fear, anger, sad.

Run ``python tools/data/build_annotations.py --print-mapping`` to print the
full word-to-class tables (:func:`mapping_table`).
"""
from typing import List, Optional, Sequence, Union

from .errors import AnnotationError
from .registry import (CLASS_SETS, DATASET_CLASS_SETS, DATASET_TITLES,
                       DATASET_SPECS, EMOTION_WORDS, get_dataset)
from .spec import ClassSet, canonical_word

__all__ = [
    'CLASS_SETS', 'EMOTION_WORDS', 'ClassSet', 'DATASET_CLASS_SETS',
    'DATASET_TITLES', 'canonical_word', 'class_set_for', 'emotion_word',
    'mapping_rows', 'mapping_table'
]


def class_set_for(dataset: str,
                  classes: Union[None, int, str] = None) -> ClassSet:
    """The class set a dataset uses for a number of classes or a name.

    Args:
        dataset (str): A registered data set with class sets of its own
            (``casme2``, ``samm``, ``casme3``, ``megc2019``).
        classes (int | str, optional): The number of classes (``--classes
            K``) or a class-set name. Defaults to the dataset's first set
            (CASME II 5, SAMM 5, CAS(ME)^3 7, MEGC 2019 3).

    Returns:
        ClassSet: The class set.

    Raises:
        AnnotationError: For an unknown dataset or a set it does not have.
    """
    spec = DATASET_SPECS.get(dataset)
    if spec is None or not spec.class_sets:
        choices = [n for n, s in DATASET_SPECS.items() if s.class_sets]
        raise AnnotationError(f'unknown dataset {dataset!r}; choose one of '
                              f'{", ".join(choices)}')
    return spec.class_set(classes)


def emotion_word(dataset: str, value: object) -> str:
    """The dataset's own emotion word that a sheet cell spells.

    Args:
        dataset (str): The dataset whose vocabulary applies.
        value (object): The cell.

    Returns:
        str: A word of :data:`EMOTION_WORDS` ``[dataset]``.

    Raises:
        KeyError: If the cell spells no word of the dataset.
    """
    spec = get_dataset(dataset)
    if spec.sheet is None:
        raise KeyError(canonical_word(value))
    return spec.sheet.emotion_word(value)


def mapping_rows(names: Optional[Sequence[str]] = None) -> List[tuple]:
    """The word-to-class table as rows.

    Args:
        names (sequence[str], optional): Class sets to list; all by default.

    Returns:
        list[tuple]: ``(class set, dataset, word, class or None, label or
        None)`` rows, in class-set, dataset and word order.
    """
    rows = []
    for name in names or list(CLASS_SETS):
        cs = CLASS_SETS[name]
        for dataset in cs.datasets:
            for word in EMOTION_WORDS[dataset]:
                cls = cs.class_of(dataset, word)
                rows.append((name, dataset, word, cls,
                             None if cls is None else cs.label_of(cls)))
    return rows


def mapping_table(names: Optional[Sequence[str]] = None) -> str:
    """The word-to-class table in Markdown, one section per class set.

    Args:
        names (sequence[str], optional): Class sets to list; all by default.

    Returns:
        str: The Markdown text.
    """
    lines: List[str] = []
    for name in names or list(CLASS_SETS):
        cs = CLASS_SETS[name]
        classes = ', '.join(f'{i} {c}' for i, c in enumerate(cs.classes))
        lines += [f'### {name}: {classes}', '', cs.reference, '',
                  '| dataset | emotion word | class | label |',
                  '|---|---|---|---|']
        for _, dataset, word, cls, label in mapping_rows([name]):
            if cls is None:
                lines.append(f'| {dataset} | {word} | (left out) | - |')
            else:
                lines.append(f'| {dataset} | {word} | {cls} | {label} |')
        lines.append('')
    return '\n'.join(lines).rstrip() + '\n'
