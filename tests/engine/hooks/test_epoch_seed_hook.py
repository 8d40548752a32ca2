"""A run resumed from an epoch checkpoint trains exactly as an
uninterrupted one when EpochSeedHook reseeds every epoch."""
import shutil

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.engine.hooks.epoch_seed_hook import (EpochSeedHook,
                                                            epoch_seed)


class NoisyDataset(Dataset):
    """Each item draws its augmentation from np.random, like the
    transforms of the pipeline."""

    def __len__(self):
        return 16

    def __getitem__(self, i):
        x = np.full(
            4, i, dtype=np.float32) + np.random.normal(0, 1, 4).astype(
                np.float32)
        return dict(inputs=torch.from_numpy(x), label=torch.tensor(i % 2))


class DropoutModel(BaseModel):
    """Dropout draws from torch's generator."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 2)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, inputs, label, mode='tensor'):
        x = self.fc(self.drop(torch.stack(inputs)))
        if mode == 'loss':
            return dict(
                loss=torch.nn.functional.cross_entropy(x, torch.stack(label)))
        return x


class SeededNoisyDataset(NoisyDataset):
    """NoisyDataset that takes SampleSeedSampler's indices, as
    MicroExpressionDataset does."""

    def __getitem__(self, i):
        from mmaction_tsfmicro.datasets.samplers import (SeededIndex,
                                                         seeded_generators)
        if isinstance(i, SeededIndex):
            with seeded_generators(i.seed):
                return super().__getitem__(i.index)
        return super().__getitem__(i)


def make_runner(work_dir, num_workers, seed_hook, resume_from=None,
                sample_seeds=False):
    hooks = [dict(type='EpochSeedHook')] if seed_hook else []
    torch.manual_seed(0)  # the same initial weights in every run
    return Runner(
        model=DropoutModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=SeededNoisyDataset() if sample_seeds else NoisyDataset(),
            sampler=dict(type='SampleSeedSampler' if sample_seeds else
                         'DefaultSampler', shuffle=True),
            batch_size=4,
            num_workers=num_workers,
            persistent_workers=sample_seeds and num_workers > 0),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(
            type='MultiStepLR', milestones=[2], by_epoch=True),
        train_cfg=dict(by_epoch=True, max_epochs=3),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=100)),
        custom_hooks=hooks,
        randomness=dict(seed=7),
        resume=resume_from is not None,
        load_from=resume_from,
        default_scope='mmaction',
        experiment_name=f'seed_{work_dir.name}')


def train_and_resume(tmp_path, num_workers, seed_hook, sample_seeds=False):
    """Weights after 3 epochs, uninterrupted and resumed from epoch 1."""
    full = tmp_path / f'full_{num_workers}_{seed_hook}_{sample_seeds}'
    runner = make_runner(full, num_workers, seed_hook,
                         sample_seeds=sample_seeds)
    runner.train()
    uninterrupted = runner.model.fc.weight.detach().clone()
    resumed_dir = tmp_path / f'resumed_{num_workers}_{seed_hook}_' \
        f'{sample_seeds}'
    resumed_dir.mkdir()
    shutil.copy(full / 'epoch_1.pth', resumed_dir / 'epoch_1.pth')
    runner = make_runner(resumed_dir, num_workers, seed_hook,
                         str(resumed_dir / 'epoch_1.pth'), sample_seeds)
    runner.train()
    assert runner.epoch == 3
    return uninterrupted, runner.model.fc.weight.detach().clone()


@pytest.mark.parametrize('num_workers', [0, 2])
def test_resumed_run_equals_uninterrupted_run(tmp_path, num_workers):
    a, b = train_and_resume(tmp_path, num_workers, seed_hook=True)
    assert torch.equal(a, b)


def test_persistent_workers_are_exact_with_sample_seeds(tmp_path,
                                                        monkeypatch):
    """With SampleSeedSampler every sample is drawn from (seed, epoch,
    index): two persistent workers train as no worker does, resumed or
    not, and as the DefaultSampler's run does not (another stream)."""
    # persistent workers forked from a process that has run torch ops do
    # not exit when their loader is garbage collected in a live process
    # (at interpreter exit PyTorch skips the wait): PyTorch waits this long
    # for each, then kills it
    monkeypatch.setattr(torch.utils.data._utils, 'MP_STATUS_CHECK_INTERVAL',
                        0.5)
    a, b = train_and_resume(tmp_path, 2, seed_hook=True, sample_seeds=True)
    assert torch.equal(a, b)
    c, _ = train_and_resume(tmp_path, 0, seed_hook=True, sample_seeds=True)
    assert torch.equal(a, c)
    d, _ = train_and_resume(tmp_path, 0, seed_hook=True)
    assert not torch.equal(a, d)


def test_without_the_hook_a_resumed_run_differs(tmp_path):
    """The check above can fail: MMEngine alone does not continue the
    generators of the main process."""
    a, b = train_and_resume(tmp_path, 0, seed_hook=False)
    assert not torch.equal(a, b)


def test_epoch_seed_depends_on_seed_epoch_and_rank():
    seeds = {
        epoch_seed(s, e, r)
        for s in (0, 1)
        for e in (0, 1, 2)
        for r in (0, 1)
    }
    assert len(seeds) == 12
    assert epoch_seed(3, 4, 1) == epoch_seed(3, 4, 1)
    assert all(0 <= s < 2**32 for s in seeds)


def test_persistent_workers_are_refused(tmp_path):

    class Loader:
        num_workers = 2
        persistent_workers = True

    class FakeRunner:
        train_dataloader = Loader()

    with pytest.raises(ValueError, match='persistent_workers=False'):
        EpochSeedHook().before_train(FakeRunner())
    # with SampleSeedSampler they are exact, and accepted
    from mmaction_tsfmicro.datasets.samplers import SampleSeedSampler
    Loader.sampler = SampleSeedSampler(NoisyDataset(), seed=0)
    EpochSeedHook().before_train(FakeRunner())


def test_worker_draws_follow_the_epoch_seed():
    """In workers, np.random depends on the epoch's seed: the same for the
    same epoch, new for the next one (MMEngine's default worker_init_fn
    repeats the same draws every epoch)."""
    from torch.utils.data import DataLoader

    from mmaction_tsfmicro.engine.hooks.epoch_seed_hook import (
        seed_everything, seed_worker_from_torch)

    def draws(epoch):
        seed_everything(epoch_seed(5, epoch))
        loader = DataLoader(
            NoisyDataset(),
            batch_size=4,
            num_workers=2,
            worker_init_fn=seed_worker_from_torch,
            collate_fn=lambda b: torch.stack([x['inputs'] for x in b]))
        return torch.cat(list(loader))

    assert torch.equal(draws(0), draws(0))
    assert not torch.equal(draws(0), draws(1))
