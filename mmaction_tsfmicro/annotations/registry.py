"""The registry of data sets: the one list every table is derived from.

Each data set is one module that declares a
:class:`~.spec.DatasetSpec` (:mod:`.casme2`, :mod:`.samm`, :mod:`.casme3`,
:mod:`.smic`, :mod:`.megc2019`) and one entry of :data:`BUILTIN`. The class
sets, the emotion words, the frame layouts, the converters, the choices of
``tools/data/build_annotations.py`` and the messages that list data sets
all come from here. A data set of one's own is registered the same way,
from one's own module, with :func:`register_dataset`.
"""
from typing import Dict, List, Optional

from . import casme2, casme3, megc2019, samm, smic
from .errors import AnnotationError
from .spec import ClassSet, DatasetSpec

#: Data set name -> spec, in registration order.
DATASET_SPECS: Dict[str, DatasetSpec] = {}
#: Class-set name -> class set, of every registered data set.
CLASS_SETS: Dict[str, ClassSet] = {}
#: Data set name -> its emotion words (data sets with a label sheet).
EMOTION_WORDS: Dict[str, tuple] = {}
#: Frame layout name -> path template, of every registered data set.
LAYOUTS: Dict[str, str] = {}
#: Data set name -> display name.
DATASET_TITLES: Dict[str, str] = {}
#: ``--classes K`` of each data set with class sets: K -> class-set name.
DATASET_CLASS_SETS: Dict[str, Dict[int, str]] = {}


def _check(spec: DatasetSpec) -> None:
    if spec.name in DATASET_SPECS:
        raise ValueError(f'data set {spec.name!r} is registered already')
    words = dict(EMOTION_WORDS)
    if spec.words:
        words[spec.name] = spec.words
    sizes = [len(cs.classes) for cs in spec.class_sets]
    if len(set(sizes)) != len(sizes):
        raise ValueError(f'{spec.name}: two class sets have the same number '
                         'of classes, so --classes K could not choose')
    for cs in spec.class_sets:
        if cs.name in CLASS_SETS:
            raise ValueError(f'{spec.name}: class set {cs.name!r} is '
                             'registered already')
        for dataset, mapping in cs.mapping.items():
            if dataset not in words:
                raise ValueError(
                    f'class set {cs.name}: maps the words of {dataset!r}, '
                    'which is not a registered data set with a label sheet')
            if set(mapping) != set(words[dataset]):
                raise ValueError(
                    f'class set {cs.name}: the {dataset} map must cover '
                    f'exactly {sorted(words[dataset])}, got {sorted(mapping)}')
    for name in spec.layouts:
        if name in LAYOUTS:
            raise ValueError(f'{spec.name}: frame layout {name!r} is '
                             'registered already')


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Add a data set to the registry.

    Args:
        spec (DatasetSpec): The data set.

    Returns:
        DatasetSpec: ``spec``.

    Raises:
        ValueError: If a name is taken or a class set does not map exactly
            the emotion words of the data sets it covers.
    """
    _check(spec)
    DATASET_SPECS[spec.name] = spec
    DATASET_TITLES[spec.name] = spec.title
    if spec.class_sets:
        DATASET_CLASS_SETS[spec.name] = {
            len(cs.classes): cs.name
            for cs in spec.class_sets
        }
    if spec.words:
        EMOTION_WORDS[spec.name] = spec.words
    for cs in spec.class_sets:
        CLASS_SETS[cs.name] = cs
    LAYOUTS.update(spec.layouts)
    return spec


#: The data sets the plugin ships (a composite after its parts).
BUILTIN = (casme2.SPEC, samm.SPEC, casme3.SPEC, smic.SPEC, megc2019.SPEC)
for _spec in BUILTIN:
    register_dataset(_spec)


def dataset_names(convertible: bool = False,
                  with_class_sets: bool = False) -> List[str]:
    """Names of the registered data sets.

    Args:
        convertible (bool): Only those with a converter of their own.
        with_class_sets (bool): Only those with class sets of their own.

    Returns:
        list[str]: In registration order.
    """
    return [
        name for name, spec in DATASET_SPECS.items()
        if (spec.convert is not None or not convertible) and (
            spec.class_sets or not with_class_sets)
    ]


def get_dataset(name: str, convertible: bool = False) -> DatasetSpec:
    """The spec of a registered data set.

    Args:
        name (str): The data set's name.
        convertible (bool): Refuse a data set without a converter.

    Returns:
        DatasetSpec: The spec.

    Raises:
        AnnotationError: For an unknown name (the message lists the known
            ones).
    """
    choices = dataset_names(convertible=convertible)
    if name not in DATASET_SPECS or name not in choices:
        raise AnnotationError(f'unknown dataset {name!r}; choose one of '
                              f'{", ".join(choices)}')
    return DATASET_SPECS[name]


def default_layout(dataset: str) -> Optional[str]:
    """The name of a data set's default frame layout (None: unknown data
    set or one without layouts)."""
    spec = DATASET_SPECS.get(dataset)
    return spec.default_layout if spec is not None else None
