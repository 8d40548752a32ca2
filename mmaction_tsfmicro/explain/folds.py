"""The folds of a finished LOSO work dir, each with its config and its last
checkpoint (the layout of :mod:`mmaction_tsfmicro.loso.work_dir`)."""
import glob
import os.path as osp
import re
from dataclasses import dataclass
from typing import List, Optional

from mmengine.config import Config

from ..loso.subjects import fold_name, leaf_datasets
from ..loso.work_dir import FOLD_CONFIG, PLAN_FILE
from ..utils.fileio import read_json


@dataclass
class LosoFold:
    """One fold of a LOSO run.

    Attributes:
        subject (str): The held-out (test) subject's key.
        folder (str): The fold folder, ``fold_<subject>``.
        config (str): Its ``fold_config.py``.
    """

    subject: str
    folder: str
    config: str

    def last_checkpoint(self) -> str:
        """The ``epoch_<N>.pth`` of the fold with the largest ``N``.

        Raises:
            FileNotFoundError: If the fold has none.
        """
        found = []
        for path in glob.glob(osp.join(self.folder, 'epoch_*.pth')):
            match = re.fullmatch(r'epoch_(\d+)\.pth', osp.basename(path))
            if match:
                found.append((int(match.group(1)), path))
        if not found:
            raise FileNotFoundError(
                f'{self.folder}: no epoch_<N>.pth checkpoint (has the fold '
                'finished training?)')
        return max(found)[1]

    def load_config(self) -> Config:
        """The fold's config, checked to test on the fold's subject."""
        if not osp.isfile(self.config):
            raise FileNotFoundError(f'{self.config}: fold config not found')
        cfg = Config.fromfile(self.config)
        loader = cfg.get('test_dataloader') or {}
        tested = set()
        for leaf in leaf_datasets(loader.get('dataset')):
            tested.update(str(s) for s in leaf.get('test_subjects') or [])
        name = self.subject.split('/')[-1]
        if tested and (len(tested) > 1 or not tested & {self.subject, name}):
            raise ValueError(f'{self.config}: tests on {sorted(tested)}, '
                             f'not on the fold subject {self.subject!r}')
        return cfg


def loso_folds(work_dir: str) -> List[LosoFold]:
    """The folds of a LOSO work dir, in the run's subject order.

    Args:
        work_dir (str): A work dir of ``tools/loso.py``.

    Returns:
        list[LosoFold]: Every fold whose folder exists.

    Raises:
        FileNotFoundError: If ``work_dir`` is not a LOSO work dir or has no
            fold folder.
    """
    plan_path = osp.join(work_dir, PLAN_FILE)
    if not osp.isfile(plan_path):
        raise FileNotFoundError(f'{work_dir}: not a LOSO work dir (no '
                                f'{PLAN_FILE})')
    subjects = [str(s) for s in read_json(plan_path).get('subjects', [])]
    folds = []
    for subject in subjects:
        folder = osp.join(work_dir, fold_name(subject))
        if osp.isdir(folder):
            folds.append(
                LosoFold(subject, folder, osp.join(folder, FOLD_CONFIG)))
    if not folds:
        raise FileNotFoundError(f'{work_dir}: no fold folder of the planned '
                                f'subjects {", ".join(subjects)}')
    return folds


def choose_fold(folds: List[LosoFold],
                subject: Optional[str] = None) -> LosoFold:
    """The fold of ``subject`` (a subject key, or a subject name that one
    fold has), or the first fold.

    Raises:
        ValueError: For an unknown or ambiguous subject, naming the folds.
    """
    if subject is None:
        return folds[0]
    exact = [f for f in folds if f.subject == subject]
    by_name = [f for f in folds if f.subject.split('/')[-1] == subject]
    if exact or len(by_name) == 1:
        return (exact or by_name)[0]
    known = ', '.join(f.subject for f in folds)
    if by_name:
        choices = ', '.join(f.subject for f in by_name)
        raise ValueError(f'fold subject {subject!r} is ambiguous; use one '
                         f'of {choices}')
    raise ValueError(f'no fold of subject {subject!r}; the folds: {known}')
