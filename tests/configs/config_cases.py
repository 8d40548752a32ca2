"""Generated data for every shipped config, in its dataset's own layout.

Each case gives the ``--cfg-options`` that point a config at generated
frames, and the subject and class count its default fold tests on.
"""
import json
import os.path as osp
from typing import Dict, List

from mmaction_tsfmicro.testing import make_synthetic_dataset

CASES = {
    'configs/tsfmicro_casme2.py': dict(
        layout='casme2_cropped', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py': dict(
        layout='casme2_cropped', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_samm.py': dict(
        layout='samm', dataset='samm', subjects=('006', '007'), classes=5),
    'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_casme3.py': dict(
        layout='casme3', dataset='casme3', subjects=('spNO.1', 'spNO.2'),
        classes=7),
    'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_casme3-4cls.py': dict(
        layout='casme3', dataset='casme3', subjects=('spNO.1', 'spNO.2'),
        classes=4),
    'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py': dict(
        layout='casme2', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2-aligned.py': dict(
        layout='casme2', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
    # the composite with aligned CASME II faces: generated CASME II frames
    # in the aligned layout and SAMM frames, joined (megc_options)
    'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_megc2019-aligned.py': dict(
        layout='casme2', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=3, composite=True),
    # the sequence model over whole clips (its own shrink: SEQ_SHRINK)
    'configs/tsfmicro_seq/tsfmicro-seq_retnet-tiny_1xb32-30e_demo.py': dict(
        layout='casme2', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5, shrink='seq'),
    'configs/tsfmicro_seq/tsfmicro-seq_retnet_1xb32-174e_casme2.py': dict(
        layout='casme2_cropped', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5, shrink='seq'),
    'configs/tsfmicro_seq/tsfmicro-seq_retnet_1xb32-199e_samm.py': dict(
        layout='samm', dataset='samm', subjects=('006', '007'), classes=5,
        shrink='seq'),
    'configs/tsfmicro_seq/tsfmicro-seq_retnet_1xb32-199e_casme3.py': dict(
        layout='casme3', dataset='casme3', subjects=('spNO.1', 'spNO.2'),
        classes=7, shrink='seq'),
    # TSFmicro with the apex estimated from the frames (onset to offset)
    'configs/apex_free/tsfmicro_retnet-tiny_1xb32-30e_demo-estimated-apex.py': dict(
        layout='casme2', dataset='casme2', subjects=('sub01', 'sub02'),
        classes=5),
}
MEGC = 'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_megc2019.py'

#: Shrinks every config to the tiny model and one epoch.
SHRINK = [
    'model.backbone.arch=tiny', 'model.neck.in_channels=64',
    'model.cls_head.in_channels=64', 'model.cls_head.hidden_channels=32',
    'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
    'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
    'test_dataloader.batch_size=4', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False'
]
#: The same for the sequence configs: one epoch of their own (small) model,
#: 4 frames a clip.
SEQ_SHRINK = [
    o for o in SHRINK if not o.startswith(('model.neck.', 'model.cls_head.',
                                           'model.backbone.'))
] + [
    'model.backbone.embed_dims=16', 'model.cls_head.in_channels=16',
    'train_dataloader.dataset.pipeline.0.num_frames=4',
    'test_dataloader.dataset.pipeline.0.num_frames=4'
]
SHRINKS = dict(seq=SEQ_SHRINK)


def shrink_options(config: str) -> List[str]:
    """The ``--cfg-options`` that shrink ``config`` (its case's
    ``shrink``, else :data:`SHRINK`)."""
    return SHRINKS.get(CASES.get(config, {}).get('shrink'), SHRINK)


def data_options(config: str, folder: str) -> List[str]:
    """Write generated data for ``config``; return the ``--cfg-options``
    that point the config at it."""
    case = CASES[config]
    if case.get('composite'):
        return megc_options(folder, casme2_layout=case['layout'])
    classes = [f'c{i}' for i in range(case['classes'])]
    ann = make_synthetic_dataset(
        folder, subjects=case['subjects'], classes=classes, num_frames=5,
        layout=case['layout'], dataset=case['dataset'])
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}',
                    f'{split}.dataset.data_prefix.img={folder}']
    return options


def megc_options(folder: str,
                 casme2_layout: str = 'casme2_cropped') -> List[str]:
    """Generated CASME II and SAMM data joined in a composite file; the
    CASME II frames in ``casme2_layout`` (the cropped release's by
    default, ``'casme2'`` for aligned faces)."""
    classes = ['negative', 'positive', 'surprise']
    roots: Dict[str, str] = {'casme2': osp.join(folder, 'c2'),
                             'samm': osp.join(folder, 'sm')}
    records = []
    for dataset, subjects, layout in (('casme2', ('sub01', 'sub02'),
                                       casme2_layout),
                                      ('samm', ('006', ), 'samm')):
        ann = make_synthetic_dataset(
            roots[dataset], subjects=subjects, classes=classes, num_frames=5,
            layout=layout, dataset=dataset)
        with open(ann) as f:
            records += json.load(f)['data_list']
    ann = osp.join(folder, 'megc.json')
    with open(ann, 'w') as f:
        json.dump(dict(metainfo=dict(classes=classes), data_list=records), f)
    options = []
    for split in ('train_dataloader', 'test_dataloader'):
        options += [f'{split}.dataset.ann_file={ann}'] + [
            f'{split}.dataset.frame_roots.{k}={v}' for k, v in roots.items()
        ]
    return options
