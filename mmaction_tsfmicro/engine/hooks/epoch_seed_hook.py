"""Randomness of a training epoch as a function of (seed, epoch).

MMEngine seeds the random generators once, when the Runner is built, and
the sampler shuffles with ``seed + epoch``. Everything else random in an
epoch (augmentations drawing from ``np.random`` in the main process or in
dataloader workers, dropout and drop-path drawing from torch) continues
from where the previous epoch left the generators. A run resumed from a
checkpoint restarts those generators from the seed, so its later epochs
differ from an uninterrupted run's.

:class:`EpochSeedHook` reseeds ``random``, ``numpy`` and ``torch`` at the
start of every epoch from ``(seed, epoch, rank)``, and makes each
dataloader worker seed ``random`` and ``numpy`` from the torch seed that
PyTorch gives it (drawn from the reseeded main generator). An epoch is
then a function of the seed, the epoch and the model state the checkpoint
holds, so resumed and uninterrupted runs train identically.
"""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """A 32-bit seed derived from ``(seed, epoch, rank)``.

    Args:
        seed (int): The run's seed.
        epoch (int): The epoch about to start (0-based).
        rank (int): The process rank. Defaults to 0.

    Returns:
        int: A seed in ``[0, 2**32)``.
    """
    return int(
        np.random.SeedSequence([int(seed) % 2**32,
                                int(epoch),
                                int(rank)]).generate_state(1)[0])


def seed_everything(seed: int) -> None:
    """Seed ``random``, ``numpy`` and ``torch`` (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def seed_worker_from_torch(worker_id: int) -> None:
    """``worker_init_fn``: seed ``random`` and ``numpy`` in a dataloader
    worker from the torch seed PyTorch gave it.

    PyTorch seeds worker ``i`` with ``base_seed + i``, ``base_seed`` drawn
    from the main process's torch generator when the epoch's iterator is
    made. (MMEngine's default ``worker_init_fn`` instead seeds numpy with
    the same number in every epoch.)

    Args:
        worker_id (int): The worker index (unused; part of the seed).
    """
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed every training epoch from ``(seed, epoch, rank)``.

    Makes a run resumed from an epoch checkpoint train exactly as the
    uninterrupted run (see the module docstring). The training dataloader
    must not keep persistent workers (their generators would not be
    reseeded); the hook refuses them, unless its sampler is
    :class:`~mmaction_tsfmicro.datasets.samplers.SampleSeedSampler`, which
    seeds every sample from ``(seed, epoch, index)``.

    Args:
        seed (int, optional): The seed. Defaults to the runner's seed.
    """

    # after every other hook of before_train_epoch, right before the data
    priority = 'LOWEST'

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def before_train(self, runner) -> None:
        """Check the dataloader and install the worker seeding."""
        loader = runner.train_dataloader
        from ...datasets.samplers import SampleSeedSampler
        if isinstance(getattr(loader, 'sampler', None), SampleSeedSampler):
            # every sample is seeded from (seed, epoch, index): the workers'
            # own generators do not matter, persistent or not. The loader
            # draws its workers' base seed from a generator of its own, so
            # that making an iterator (every epoch, or once with persistent
            # workers) takes nothing from the main generator (dropout's)
            loader.generator = torch.Generator().manual_seed(0)
            return
        if getattr(loader, 'num_workers', 0) > 0:
            if getattr(loader, 'persistent_workers', False):
                raise ValueError(
                    'EpochSeedHook: train_dataloader has persistent_workers='
                    'True, whose random generators cannot be reseeded per '
                    'epoch; set train_dataloader.persistent_workers=False, '
                    "or use sampler=dict(type='SampleSeedSampler') to seed "
                    'every sample')
            loader.worker_init_fn = seed_worker_from_torch

    def before_train_epoch(self, runner) -> None:
        """Reseed the generators for the epoch about to start."""
        seed = self.seed if self.seed is not None else runner.seed
        seed_everything(epoch_seed(seed, runner.epoch, get_rank()))
