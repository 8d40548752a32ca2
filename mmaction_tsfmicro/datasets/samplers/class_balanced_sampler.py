"""A sampler that draws every class equally often, for imbalanced data sets
(CASME II: 99 'others' against 27 'repression').

MMEngine offers ``DefaultSampler`` and ``InfiniteSampler`` and MMAction2
no class-aware one, so this is the plugin's own.
"""
import math
from collections import Counter
from typing import Iterator, List, Optional, Sized

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmaction.registry import DATA_SAMPLERS


def dataset_labels(dataset: Sized) -> List[int]:
    """The ``label`` of every sample of an MMEngine dataset (also inside
    ``RepeatDataset`` / ``ConcatDataset``, which give ``get_data_info``)."""
    labels = []
    for i in range(len(dataset)):
        label = dataset.get_data_info(i).get('label')
        if label is None:
            raise KeyError(f'ClassBalancedSampler: sample {i} of the dataset '
                           'has no label')
        labels.append(int(label))
    return labels


@DATA_SAMPLERS.register_module()
class ClassBalancedSampler(Sampler):
    """Draw training samples with replacement so that every class is drawn
    with the same probability.

    Sample ``i`` of class ``c`` is drawn with probability proportional to
    ``1 / n_c`` (``n_c``: the samples of ``c`` in this dataset, i.e. the
    training split of the fold, never the test subject), so each class
    makes up about ``1 / K`` of an epoch: minority samples repeat,
    majority samples are sometimes left out. An epoch still has
    ``len(dataset)`` samples, so schedules counted in epochs keep their
    meaning. The draw depends on ``seed + epoch`` only (like
    ``DefaultSampler``'s shuffle), so a resumed run draws as an
    uninterrupted one; under distributed training every rank takes its
    share of the same draw.

    Use it in place of the training dataloader's ``DefaultSampler``; it
    accepts that sampler's ``shuffle=True``, so changing the type is
    enough (in a config or with ``--cfg-options
    train_dataloader.sampler.type=ClassBalancedSampler``)::

        train_dataloader = dict(sampler=dict(type='ClassBalancedSampler'))

    Args:
        dataset (Sized): The dataset (samples with a ``label``).
        seed (int, optional): Random seed, the same on every rank.
            Defaults to a seed shared by the ranks (MMEngine's
            ``sync_random_seed``); the Runner passes the run's seed.
        num_samples (int, optional): Samples an epoch draws in all ranks.
            Defaults to ``len(dataset)``.
        shuffle (bool): Must be True (the draw is random); accepted so
            that a ``DefaultSampler(shuffle=True)`` config switches by its
            type alone. Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 seed: Optional[int] = None,
                 num_samples: Optional[int] = None,
                 shuffle: bool = True) -> None:
        if not shuffle:
            raise ValueError('ClassBalancedSampler draws at random; it has no '
                             'shuffle=False (use DefaultSampler for a fixed '
                             'order)')
        rank, world_size = get_dist_info()
        self.rank, self.world_size = rank, world_size
        self.dataset = dataset
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.epoch = 0
        labels = dataset_labels(dataset)
        if not labels:
            raise ValueError('ClassBalancedSampler: the dataset is empty')
        self.class_counts = dict(sorted(Counter(labels).items()))
        self.weights = torch.tensor(
            [1.0 / self.class_counts[label] for label in labels],
            dtype=torch.double)
        total = len(labels) if num_samples is None else int(num_samples)
        if total < 1:
            raise ValueError(f'ClassBalancedSampler: num_samples must be '
                             f'>= 1, got {num_samples}')
        self.num_samples = math.ceil(total / world_size)
        self.total_size = self.num_samples * world_size

    def __iter__(self) -> Iterator[int]:
        """The indices of this rank for the current epoch."""
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        indices = torch.multinomial(
            self.weights, self.total_size, replacement=True,
            generator=g).tolist()
        return iter(indices[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        """The number of samples of this rank in an epoch."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch (MMEngine's ``DistSamplerSeedHook`` calls it).

        Args:
            epoch (int): The epoch.
        """
        self.epoch = epoch
