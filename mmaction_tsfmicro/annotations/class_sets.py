"""The class sets: the one place that maps emotion words to classes.

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
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .common import AnnotationError

#: Each dataset's emotion words, in lower case, as its label sheet writes
#: them (CASME II ``Estimated Emotion``, SAMM ``Estimated Emotion``,
#: CAS(ME)^3 ``emotion``, SMIC the folder names of its three classes).
EMOTION_WORDS: Dict[str, Tuple[str, ...]] = {
    'casme2': ('happiness', 'disgust', 'repression', 'surprise', 'others',
               'sadness', 'fear'),
    'samm': ('anger', 'contempt', 'happiness', 'surprise', 'other',
             'disgust', 'fear', 'sadness'),
    'casme3': ('happy', 'disgust', 'fear', 'anger', 'sad', 'surprise',
               'others'),
    'smic': ('negative', 'positive', 'surprise'),
}

#: Other spellings accepted for a dataset's word (reported when met).
EMOTION_ALIASES: Dict[str, Dict[str, str]] = {
    'casme2': {'other': 'others'},
    'samm': {'others': 'other'},
    'casme3': {'other': 'others'},
    'smic': {'ne': 'negative', 'po': 'positive', 'sur': 'surprise'},
}

#: Display names of the datasets.
DATASET_TITLES: Dict[str, str] = {
    'casme2': 'CASME II',
    'samm': 'SAMM',
    'casme3': 'CAS(ME)^3 part A',
    'smic': 'SMIC',
    'megc2019': 'MEGC 2019 composite',
}


@dataclass(frozen=True)
class ClassSet:
    """An ordered set of classes and each dataset's word-to-class map.

    Args:
        name (str): The set's name, e.g. ``'casme2_5'``.
        classes (tuple[str]): The classes; ``label`` indexes this tuple.
        mapping (dict[str, dict[str, str | None]]): For each dataset the
            set covers, every emotion word of that dataset mapped to a
            class, or to ``None`` when its samples are left out.
        reference (str): Where the set comes from.
    """

    name: str
    classes: Tuple[str, ...]
    mapping: Mapping[str, Mapping[str, Optional[str]]]
    reference: str = ''
    datasets: Tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, 'datasets', tuple(self.mapping))
        for dataset, words in self.mapping.items():
            known = set(EMOTION_WORDS[dataset])
            if set(words) != known:
                raise ValueError(
                    f'class set {self.name}: the {dataset} map must cover '
                    f'exactly {sorted(known)}, got {sorted(words)}')
            bad = {c for c in words.values() if c is not None} - set(
                self.classes)
            if bad:
                raise ValueError(f'class set {self.name}: unknown classes '
                                 f'{sorted(bad)}')

    def class_of(self, dataset: str, word: str) -> Optional[str]:
        """The class of a dataset's emotion word (``None``: left out)."""
        return self.mapping[dataset][word]

    def label_of(self, class_name: str) -> int:
        """The label (index in :attr:`classes`) of a class."""
        return self.classes.index(class_name)


def _identity(dataset: str) -> Dict[str, str]:
    return {w: w for w in EMOTION_WORDS[dataset]}


CLASS_SETS: Dict[str, ClassSet] = {
    cs.name: cs
    for cs in (
        ClassSet(
            'casme2_5',
            ('happiness', 'disgust', 'repression', 'surprise', 'others'),
            {'casme2': {**_identity('casme2'), 'sadness': None,
                        'fear': None}},
            'CASME II 5-class protocol (sadness and fear, 6 samples, are '
            'too few and left out)'),
        ClassSet(
            'samm_5', ('anger', 'contempt', 'happiness', 'surprise', 'other'),
            {'samm': {**_identity('samm'), 'disgust': None, 'fear': None,
                      'sadness': None}},
            'SAMM 5-class protocol (disgust, fear and sadness left out)'),
        ClassSet(
            'casme3_7',
            ('happy', 'disgust', 'fear', 'anger', 'sad', 'surprise',
             'others'),
            {'casme3': _identity('casme3')},
            'CAS(ME)^3 part A, all seven emotion words'),
        ClassSet(
            'casme3_4', ('positive', 'negative', 'surprise', 'others'),
            {'casme3': {'happy': 'positive', 'disgust': 'negative',
                        'fear': 'negative', 'anger': 'negative',
                        'sad': 'negative', 'surprise': 'surprise',
                        'others': 'others'}},
            'CAS(ME)^3 paper / MMNet 4-class grouping'),
        ClassSet(
            'megc2019_3', ('negative', 'positive', 'surprise'),
            {
                'casme2': {'repression': 'negative', 'disgust': 'negative',
                           'fear': 'negative', 'sadness': 'negative',
                           'happiness': 'positive', 'surprise': 'surprise',
                           'others': None},
                'samm': {'anger': 'negative', 'contempt': 'negative',
                         'disgust': 'negative', 'fear': 'negative',
                         'sadness': 'negative', 'happiness': 'positive',
                         'surprise': 'surprise', 'other': None},
                'smic': _identity('smic'),
            },
            'MEGC 2019 composite: labels 0, 1, 2 of combined_3class_gt.csv'),
    )
}

#: ``--classes K`` of each dataset: the number of classes -> class set.
DATASET_CLASS_SETS: Dict[str, Dict[int, str]] = {
    'casme2': {5: 'casme2_5'},
    'samm': {5: 'samm_5'},
    'casme3': {7: 'casme3_7', 4: 'casme3_4'},
    'megc2019': {3: 'megc2019_3'},
}


def class_set_for(dataset: str,
                  classes: Union[None, int, str] = None) -> ClassSet:
    """The class set a dataset uses for a number of classes or a name.

    Args:
        dataset (str): ``casme2``, ``samm``, ``casme3`` or ``megc2019``.
        classes (int | str, optional): The number of classes (``--classes
            K``) or a class-set name. Defaults to the dataset's first set
            (CASME II 5, SAMM 5, CAS(ME)^3 7, MEGC 2019 3).

    Returns:
        ClassSet: The class set.

    Raises:
        AnnotationError: For an unknown dataset or a set it does not have.
    """
    if dataset not in DATASET_CLASS_SETS:
        raise AnnotationError(
            f'unknown dataset {dataset!r}; choose one of '
            f'{", ".join(DATASET_CLASS_SETS)}')
    sets = DATASET_CLASS_SETS[dataset]
    choices = ', '.join(str(k) for k in sets)
    if classes is None:
        return CLASS_SETS[next(iter(sets.values()))]
    if isinstance(classes, str) and not classes.strip().isdigit():
        if classes not in sets.values():
            raise AnnotationError(
                f'{dataset} has no class set {classes!r}; choose one of '
                f'{", ".join(sets.values())}')
        return CLASS_SETS[classes]
    k = int(classes)
    if k not in sets:
        raise AnnotationError(
            f'--classes {k}: {DATASET_TITLES[dataset]} has no {k}-class '
            f'set; choose {choices}')
    return CLASS_SETS[sets[k]]


def canonical_word(value: object) -> str:
    """A word in lower case with single spaces (``' Others '`` ->
    ``'others'``)."""
    return ' '.join(str(value).split()).casefold()


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
    word = canonical_word(value)
    word = EMOTION_ALIASES.get(dataset, {}).get(word, word)
    if word not in EMOTION_WORDS[dataset]:
        raise KeyError(word)
    return word


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
