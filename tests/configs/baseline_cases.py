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
    **{f'configs/baselines/{name}.py': dict(DEMO, shrink=[])
       for name in ('tsn_r18_1xb32-20e_demo-apex',
                    'tsn_r18_1xb32-20e_demo-apex-onset',
                    'slowonly_r18_1xb32-8f-12e_demo',
                    'timesformer-tiny_1xb32-8f-30e_demo',
                    'off-apexnet_1xb32-60e_demo', 'ststnet_1xb32-60e_demo')},
    **{f'configs/baselines/{name}.py': dict(CASME2, shrink=[])
       for name in ('tsn_r18_1xb32-50e_casme2-apex',
                    'tsn_r18_1xb32-50e_casme2-apex-onset',
                    'slowonly_r18_1xb32-8f-50e_casme2',
                    'timesformer-tiny_1xb32-8f-100e_casme2',
                    'off-apexnet_1xb32-100e_casme2',
                    'ststnet_1xb256-800e_casme2')},
}
TSFMICRO = {
    **{
        f'configs/tsfmicro/{name}.py': dict(DEMO, shrink=[])
        for name in ('tsfmicro-early_retnet-tiny_1xb32-30e_demo',
                     'tsfmicro-s2t_retnet-tiny_1xb32-30e_demo',
                     'tsfmicro-t2s_retnet-tiny_1xb32-30e_demo',
                     'tsfmicro_retnet-tiny_1xb32-30e_demo-flow')
    },
    **{
        f'configs/tsfmicro/{name}.py': dict(
            CASME2, shrink=[s for s in SHRINK if s.startswith('model.')])
        for name in ('tsfmicro-early_retnet_1xb32-174e_casme2',
                     'tsfmicro-s2t_retnet_1xb32-174e_casme2',
                     'tsfmicro-t2s_retnet_1xb32-174e_casme2',
                     'tsfmicro_retnet_1xb32-174e_casme2-flow',
                     'tsfmicro_retnet_class-weighted_1xb32-174e_casme2',
                     'tsfmicro_retnet_balanced-sampler_1xb32-174e_casme2')
    },
}
#: HTNet: the demo config as it is (its data-set configs' recipes:
#: tests/models/backbones/test_htnet.py).
HTNET = {
    'configs/htnet/htnet-small_1xb32-60e_demo.py': dict(DEMO, shrink=[]),
}
#: MMNet: the demo config as it is, the authors' (9.4 M parameters) at the
#: tiny width on its 224x224 pairs.
MMNET = {
    'configs/mmnet/mmnet-tiny_1xb32-30e_demo.py': dict(DEMO, shrink=[]),
    'configs/mmnet/mmnet_1xb32-74e_casme2.py': dict(
        CASME2, shrink=['model.backbone.arch=tiny',
                        'model.cls_head.in_channels=64']),
}
CASES: Dict[str, dict] = {**BASELINES, **TSFMICRO, **HTNET, **MMNET}


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
