"""The configs read as MMAction2's: pipelines built from named pieces (never
edited by list index), each data block written once, bases inherited."""
import glob
import os.path as osp
import re

from conftest import REPO_ROOT

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
#: ``train_pipeline[2].scale = ...``, ``_base_.test_pipeline[0]``,
#: ``pipeline[5].update(...)``
BY_INDEX = re.compile(r'pipeline\s*\[\s*-?\d+\s*\]')


def source(path):
    with open(path) as f:
        return f.read()


def test_no_config_edits_a_pipeline_by_index():
    offenders = [
        f'{osp.relpath(p, REPO_ROOT)}:{i}: {line.strip()}' for p in CONFIGS
        for i, line in enumerate(source(p).splitlines(), 1)
        if BY_INDEX.search(line.split('#')[0])
    ]
    assert offenders == []


def test_the_demo_data_block_is_written_once():
    holders = [
        osp.relpath(p, REPO_ROOT) for p in CONFIGS
        if 'data/demo/faces112' in source(p)
    ]
    assert holders == ['configs/_base_/datasets/demo.py']


def test_the_frame_pair_and_clip_pipelines_are_written_once():
    # SelectFramePair's training mode and the uniform clip sampler are
    # pieces of one file; other configs refer to the pieces
    for piece in ("mode='max_diff', ratio=pair_ratio", "end='offset'"):
        holders = [
            osp.relpath(p, REPO_ROOT) for p in CONFIGS if piece in source(p)
        ]
        assert holders == ['configs/_base_/datasets/me_pipelines.py'], piece


def test_baselines_inherit_the_data_set_bases():
    for path in glob.glob(osp.join(REPO_ROOT, 'configs', 'baselines',
                                   '*_*.py')):
        if path.endswith('_methods.py'):
            continue
        text = source(path)
        assert re.search(r"'\.\./_base_/datasets/(demo|casme2)\.py'",
                         text), path
        assert 'train_dataloader = dict(dataset=dict(' in text or \
            'dataset=dict(pipeline=train_pipeline)' in text, path
