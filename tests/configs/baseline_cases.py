"""The baseline configs and the TSFmicro variants (fusion modes, flow input,
class imbalance) with what a one-epoch test run of each needs: generated
frames in the config's layout, a shrunk model where the config's is large,
a flow folder of the test's own.

Like :mod:`.config_cases`, each case names the layout and the data set of
the generated frames; ``shrink`` lists the ``--cfg-options`` that make the
model small (TSFmicro configs take the tiny arch, as
:data:`.config_cases.SHRINK` does); every case runs one epoch with batches
of 4 and no dataloader workers.
"""
from typing import Dict, List

from mmengine.config import Config

from mmaction_tsfmicro.testing import make_synthetic_dataset
from .config_cases import SHRINK

#: One epoch, small batches, no workers (every case).
ONE_EPOCH = [
    'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
    'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
    'test_dataloader.batch_size=4', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False'
]
DEMO = dict(layout='casme2', dataset='casme2')
CASME2 = dict(layout='casme2_cropped', dataset='casme2')

BASELINES = {
    f'configs/baselines/{name}_{data}.py': dict(info, shrink=[])
    for name in ('tsn_r18_apex', 'tsn_r18_apex-onset', 'slowonly_r18_8f',
                 'timesformer_tiny_8f', 'off_apexnet', 'ststnet')
    for data, info in (('demo', DEMO), ('casme2', CASME2))
}
TSFMICRO = {
    **{
        f'configs/tsfmicro/tsfmicro_tiny_demo_{v}.py': dict(DEMO, shrink=[])
        for v in ('early', 's2t', 't2s', 'flow')
    },
    **{
        f'configs/tsfmicro/tsfmicro_casme2_{v}.py': dict(
            CASME2, shrink=[s for s in SHRINK if s.startswith('model.')])
        for v in ('early', 's2t', 't2s', 'flow', 'class-weighted',
                  'balanced-sampler')
    },
}
CASES: Dict[str, dict] = {**BASELINES, **TSFMICRO}


def flow_options(config: str, flow_root: str) -> List[str]:
    """Point every ``LoadFlow`` of the config's pipelines at ``flow_root``
    and compute with DIS (fast on tiny frames)."""
    cfg = Config.fromfile(config)
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        for i, t in enumerate(cfg[split].dataset.pipeline):
            if t['type'] == 'LoadFlow':
                key = f'{split}.dataset.pipeline.{i}'
                options += [f'{key}.flow_root={flow_root}',
                            f'{key}.compute.method=dis']
    return options


def case_options(config: str, folder: str) -> List[str]:
    """Write generated data for ``config``; return all its
    ``--cfg-options``."""
    case = CASES[config]
    ann = make_synthetic_dataset(
        folder, subjects=('sub01', 'sub02'),
        classes=[f'c{i}' for i in range(5)], num_frames=5,
        layout=case['layout'], dataset=case['dataset'])
    options = ONE_EPOCH + case['shrink']
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}',
                    f'{split}.dataset.data_prefix.img={folder}']
    return options + flow_options(config, folder + '_flow')
