"""What a data set declares: its class sets and its spec.

Each data set's module (:mod:`.casme2`, :mod:`.samm`, ...) declares one
:class:`DatasetSpec`: its display name, its label sheet (a
:class:`~.sheet_conversion.SheetSpec`, which holds the data set's emotion
words), the :class:`ClassSet` s it can be converted to, its frame layouts
and its converter. :mod:`.registry` collects the specs; every table and
command-line choice of the plugin is derived from them.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Tuple, Union

from .errors import AnnotationError


def canonical_word(value: object) -> str:
    """A word in lower case with single spaces (``' Others '`` ->
    ``'others'``)."""
    return ' '.join(str(value).split()).casefold()


@dataclass(frozen=True)
class ClassSet:
    """An ordered set of classes and each data set's word-to-class map.

    Args:
        name (str): The set's name, e.g. ``'casme2_5'``.
        classes (tuple[str]): The classes; ``label`` indexes this tuple.
        mapping (dict[str, dict[str, str | None]]): For each data set the
            set covers, every emotion word of that data set mapped to a
            class, or to ``None`` when its samples are left out. (That the
            map covers exactly the data set's words is checked when the set
            is registered.)
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
            bad = {c for c in words.values() if c is not None} - set(
                self.classes)
            if bad:
                raise ValueError(f'class set {self.name}: unknown classes '
                                 f'{sorted(bad)} in the {dataset} map')

    def class_of(self, dataset: str, word: str) -> Optional[str]:
        """The class of a data set's emotion word (``None``: left out)."""
        return self.mapping[dataset][word]

    def label_of(self, class_name: str) -> int:
        """The label (index in :attr:`classes`) of a class."""
        return self.classes.index(class_name)


#: A converter: ``(sheets, class_set) -> (records, report)``.
Converter = Callable[[Any, Union[None, int, str]], tuple]


@dataclass(frozen=True)
class DatasetSpec:
    """Everything the plugin knows of one data set.

    Args:
        name (str): The name in records and on the command line
            (``casme2``).
        title (str): The display name (``CASME II``).
        sheet (SheetSpec, optional): How its label sheet is read; it holds
            the data set's emotion words. None for a composite.
        class_sets (tuple[ClassSet]): The class sets its converter writes,
            the default first; ``--classes K`` picks the K-class one.
        layouts (dict[str, str]): Frame layout name -> path template (see
            :mod:`.layouts`), the data set's default first.
        convert (callable, optional): The converter, ``(sheets, class_set)
            -> (records, report)``; None for a data set that is only part
            of a composite (SMIC).
        sheet_files (str): The files the converter reads, for help texts.
        several_sheets (bool): Whether the converter takes several files.
    """

    name: str
    title: str
    sheet: Optional[Any] = None
    class_sets: Tuple[ClassSet, ...] = ()
    layouts: Mapping[str, str] = field(default_factory=dict)
    convert: Optional[Converter] = None
    sheet_files: str = ''
    several_sheets: bool = False

    @property
    def words(self) -> Tuple[str, ...]:
        """The data set's emotion words (empty for a composite)."""
        return tuple(self.sheet.words) if self.sheet is not None else ()

    @property
    def default_layout(self) -> Optional[str]:
        """The name of its default frame layout, if it has layouts."""
        return next(iter(self.layouts), None)

    def class_set(self,
                  classes: Union[None, int, str] = None) -> ClassSet:
        """The class set for a number of classes or a name.

        Args:
            classes (int | str, optional): The number of classes
                (``--classes K``) or a class-set name. Defaults to the
                first set.

        Returns:
            ClassSet: The class set.

        Raises:
            AnnotationError: If the data set has no such set.
        """
        if not self.class_sets:
            raise AnnotationError(f'{self.name} has no class set of its own')
        if classes is None:
            return self.class_sets[0]
        if isinstance(classes, str) and not classes.strip().isdigit():
            for cs in self.class_sets:
                if cs.name == classes:
                    return cs
            raise AnnotationError(
                f'{self.name} has no class set {classes!r}; choose one of '
                f'{", ".join(cs.name for cs in self.class_sets)}')
        k = int(classes)
        for cs in self.class_sets:
            if len(cs.classes) == k:
                return cs
        choices = ', '.join(str(len(cs.classes)) for cs in self.class_sets)
        raise AnnotationError(f'--classes {k}: {self.title} has no {k}-class '
                              f'set; choose {choices}')
