"""The model zoo's metafile agrees with the configs and the checkpoints."""
import hashlib
import os

import pytest
import yaml


@pytest.fixture(scope='module')
def metafile(repo_root):
    with open(os.path.join(repo_root, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    (path, ) = index['Import']
    with open(os.path.join(repo_root, path)) as f:
        return yaml.safe_load(f)


def test_every_config_is_listed(metafile, repo_root):
    listed = {m['Config'] for m in metafile['Models']}
    folder = os.path.join(repo_root, 'configs', 'tsfmicro')
    on_disk = {f'configs/tsfmicro/{f}' for f in os.listdir(folder)
               if f.endswith('.py')}
    assert listed == on_disk


def test_released_weights_match_their_hash(metafile, repo_root):
    released = [m for m in metafile['Models'] if m.get('Weights')]
    assert released, 'the zoo releases at least the demo checkpoint'
    for model in released:
        path = os.path.join(repo_root, model['Weights'])
        digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
        assert digest == model['SHA-256']
        assert os.path.basename(path).split('-')[-1][:-4] == digest[:8]
        assert os.path.isfile(os.path.join(repo_root, model['Training Log']))


def test_parameter_counts_match_the_configs(metafile, repo_root):
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    from mmaction_tsfmicro.engine.runner_args import load_config
    init_default_scope('mmaction')
    for model in metafile['Models']:
        cfg = load_config(os.path.join(repo_root, model['Config']))
        built = MODELS.build(cfg.model)
        params = sum(p.numel() for p in built.parameters())
        assert params == model['Metadata']['Parameters'], model['Name']
