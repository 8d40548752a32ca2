"""The subjects of a LOSO run: one fold each, and its folder name."""
import os.path as osp
import re
from typing import Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config

from ..annotations import AnnotationError, read_subjects
from .protocol import ProtocolError


def fold_name(subject: str) -> str:
    """The folder name of a subject's fold: ``fold_<subject>``, with every
    character but letters, digits, ``.``, ``_`` and ``-`` (e.g. the ``/`` of
    ``casme2/sub01``) replaced by ``_``."""
    return 'fold_' + re.sub(r'[^A-Za-z0-9._-]', '_', str(subject))


def fold_names(subjects: Sequence[str]) -> Dict[str, str]:
    """Folder names of the folds, checked to be distinct.

    Args:
        subjects (Sequence[str]): Subject keys.

    Returns:
        dict[str, str]: Subject key -> folder name.
    """
    names = {s: fold_name(s) for s in subjects}
    seen: Dict[str, str] = {}
    for subject, name in names.items():
        if name in seen:
            raise ValueError(f'subjects {seen[name]!r} and {subject!r} map '
                             f'to the same fold folder {name!r}')
        seen[name] = subject
    return names


def leaf_datasets(dataset_cfg) -> Iterator[dict]:
    """The dataset configs that read an annotation file, inside wrappers
    (``RepeatDataset``, ``ConcatDataset``...)."""
    if not isinstance(dataset_cfg, dict):
        return
    if 'ann_file' in dataset_cfg:
        yield dataset_cfg
        return
    for key in ('dataset', 'datasets'):
        inner = dataset_cfg.get(key)
        for item in (inner if isinstance(inner, (list, tuple)) else [inner]):
            yield from leaf_datasets(item)


def _ann_path(dataset_cfg: dict) -> str:
    ann = dataset_cfg['ann_file']
    root = dataset_cfg.get('data_root')
    if root and not osp.isabs(ann):
        ann = osp.join(root, ann)
    return ann


def config_subjects(cfg: Config) -> List[str]:
    """The subject keys of the annotation file of ``test_dataloader``.

    Args:
        cfg (Config): A LOSO config.

    Returns:
        list[str]: Sorted subject keys (one fold each).
    """
    loader = cfg.get('test_dataloader')
    leaves = list(leaf_datasets(loader.get('dataset'))) if loader else []
    if not leaves:
        raise ProtocolError('the config has no test_dataloader.dataset with '
                            'an ann_file; LOSO folds come from it')
    subjects = set()
    for leaf in leaves:
        try:
            subjects.update(read_subjects(_ann_path(leaf)))
        except AnnotationError as e:
            raise ProtocolError(str(e)) from None
    return sorted(subjects)


def choose_subjects(all_subjects: Sequence[str],
                    wanted: Optional[Sequence[str]]) -> List[str]:
    """The subjects to run: all, or the ``--subjects`` given (in the order
    of ``all_subjects``).

    A plain subject name matches a composite key ``<dataset>/<name>`` when
    only one dataset has that subject.
    """
    if not wanted:
        return list(all_subjects)
    chosen = set()
    for name in wanted:
        if name in all_subjects:
            chosen.add(name)
            continue
        matches = [s for s in all_subjects if s.split('/')[-1] == name]
        if len(matches) == 1:
            chosen.add(matches[0])
        elif matches:
            raise ProtocolError(f'--subjects: {name!r} is ambiguous; use one '
                                f'of {matches}')
        else:
            raise ProtocolError(f'--subjects: unknown subject {name!r}; '
                                f'known: {", ".join(all_subjects)}')
    return [s for s in all_subjects if s in chosen]


def set_subjects(dataset_cfg, *, test, exclude) -> None:
    """Set ``test_subjects`` and ``exclude_subjects`` of every dataset of a
    dataloader's dataset config (inside wrappers)."""
    leaves = list(leaf_datasets(dataset_cfg))
    if not leaves:
        raise ProtocolError('a dataloader of the config has no dataset with '
                            'an ann_file')
    for leaf in leaves:
        leaf['test_subjects'] = test
        leaf['exclude_subjects'] = exclude
