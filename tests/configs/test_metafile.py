"""The model zoo's metafile agrees with the configs and the checkpoints,
in MMAction2's schema."""
import hashlib
import os
import re

import pytest
import yaml

#: The fields MMAction2's metafiles give each model's metadata.
METADATA = ('Architecture', 'Modality', 'Resolution', 'Pretrained',
            'Training Data', 'Training Resources', 'Epochs', 'Batch Size',
            'Parameters', 'FLOPs')


#: The metrics of each task's results.
METRICS = {
    'Micro-expression Recognition': {'UF1', 'UAR', 'Top 1 Accuracy'},
    'Micro-expression Spotting': {'F1', 'Precision', 'Recall', 'STRS'},
}


def load_metafiles(repo_root):
    with open(os.path.join(repo_root, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    files = {}
    for path in index['Import']:
        with open(os.path.join(repo_root, path)) as f:
            files[path] = yaml.safe_load(f)
    return files


@pytest.fixture(scope='module')
def metafile(repo_root):
    """The recognizers' metafile."""
    return load_metafiles(repo_root)['configs/tsfmicro/metafile.yml']


@pytest.fixture(scope='module')
def every_model(repo_root):
    return [m for f in load_metafiles(repo_root).values()
            for m in f['Models']]


def test_the_index_lists_the_recognizer_and_the_spotter(repo_root):
    assert sorted(load_metafiles(repo_root)) == [
        'configs/spotting/metafile.yml', 'configs/tsfmicro/metafile.yml']


def test_every_config_is_a_model_or_a_listed_recipe(metafile, repo_root):
    listed = {m['Config'] for m in metafile['Models']}
    folder = os.path.join(repo_root, 'configs', 'tsfmicro')
    with open(os.path.join(folder, 'README.md')) as f:
        readme = f.read()
    def linked(section):
        return {f'configs/tsfmicro/{name}' for name in re.findall(
            r'\]\((tsfmicro[\w.-]*\.py)\)', section)}

    released, recipes = readme.split('### Recipes without released weights')
    inference = linked(released.split('### The released model on plain '
                                      'clips')[1])
    recipes = linked(recipes)
    on_disk = {f'configs/tsfmicro/{f}' for f in os.listdir(folder)
               if f.endswith('.py')}
    assert listed | recipes | inference == on_disk
    assert len(inference) == 1
    assert not listed & recipes and not (listed | recipes) & inference


def test_models_have_weights_results_and_mmaction2_s_fields(
        metafile, every_model, repo_root):
    (collection, ) = metafile['Collections']
    assert set(collection) == {'Name', 'README', 'Paper'}
    for model in every_model:
        assert os.path.isfile(os.path.join(repo_root, model['Config']))
        assert model['Weights'] and model['Training Log'], model['Name']
        assert set(METADATA) <= set(model['Metadata']), model['Name']
        assert 'SHA-256' not in model  # the hash is in the file's name
        for result in model['Results']:
            # a data set's name, as mim prints it in a column title
            assert len(result['Dataset']) < 20 and '(' not in \
                result['Dataset']
            assert set(result['Metrics']) == METRICS[result['Task']]


def test_released_weights_match_the_hash_in_their_name(every_model,
                                                       repo_root):
    for model in every_model:
        path = os.path.join(repo_root, model['Weights'])
        digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
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
