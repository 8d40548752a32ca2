"""The conversion of official checkpoints (and its tool,
tools/official/convert_official_checkpoint.py) on a state_dict made from the
recorded names and shapes of the official model (tests/data)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models import official_checkpoint as lib
from mmaction_tsfmicro.models.backbones.retention import head_log_decays
from mmaction_tsfmicro.utils.modules import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'official', 'convert_official_checkpoint.py')
PAPER = osp.join(REPO, 'configs', '_base_', 'models', 'tsfmicro.py')
FIXTURE = osp.join(REPO, 'tests', 'data', 'official_ts_micro_keys.json')

cli = load_script(TOOL, 'convert_official')


def official_state_dict(num_classes=5, seed=0):
    """Random tensors under the official names, valid Relpos buffers."""
    with open(FIXTURE) as f:
        shapes = json.load(f)['shapes']
    gen = torch.Generator().manual_seed(seed)
    ranges = [4, 4, 6, 6]
    state = {}
    for key, shape in shapes.items():
        if key.startswith(('main_branch.head.', 'vit_pos.head.')):
            shape = [num_classes] + shape[1:]
        if key.endswith('num_batches_tracked'):
            state[key] = torch.tensor(3)
        elif key.endswith('Relpos.decay'):
            stage = int(key.split('.')[2])
            state[key] = head_log_decays(2, 2, ranges[stage])
        elif key.endswith('Relpos.angle'):
            freqs = 1 / 10000**torch.linspace(0, 1, shape[0] // 2)
            state[key] = freqs.repeat_interleave(2)
        else:
            state[key] = torch.randn(shape, generator=gen)
    return state


@pytest.fixture(scope='module')
def reference():
    return lib.build_reference(PAPER, 5)


@pytest.mark.parametrize('official, ours', [
    ('main_branch.patch_embed.proj.0.weight', 'backbone.stem.0.conv.weight'),
    ('main_branch.patch_embed.proj.10.running_var',
     'backbone.stem.3.bn.running_var'),
    ('main_branch.layers.2.blocks.1.retention.lepe.conv.weight',
     'backbone.stages.2.blocks.1.attn.lepe.weight'),
    ('main_branch.layers.0.blocks.0.retention_layer_norm.bias',
     'backbone.stages.0.blocks.0.norm1.bias'),
    ('main_branch.layers.1.blocks.0.ffn.dwconv.conv.bias',
     'backbone.stages.1.blocks.0.ffn.dwconv.bias'),
    ('main_branch.layers.1.downsample.reduction.weight',
     'backbone.stages.1.downsample.conv.weight'),
    ('main_branch.layers.3.blocks.0.pos.conv.weight',
     'backbone.stages.3.blocks.0.pos.weight'),
    ('vit_pos.blocks.1.mlp.fc2.bias',
     'backbone.spatial.blocks.1.ffn.layers.1.bias'),
    ('vit_pos.patch_embed.proj.weight', 'backbone.spatial.patch_embed.weight'),
    ('main_branch.proj.weight', 'cls_head.fc_proj.weight'),
    ('main_branch.norm.running_mean', 'cls_head.bn.running_mean'),
    ('main_branch.head.bias', 'cls_head.fc_cls.bias'),
    ('vit_pos.cls_token', None),
    ('vit_pos.to_Mask.0.weight', None),
    ('main_branch.layers.0.Relpos.decay', None),
])
def test_key_mapping(official, ours):
    assert lib.map_official_key(official) == ours


def test_unknown_key_is_named():
    with pytest.raises(lib.ConversionError,
                       match='unexpected key .*: main_branch.extra.weight'):
        lib.map_official_key('main_branch.extra.weight')
    with pytest.raises(lib.ConversionError, match='proj.2.weight'):
        lib.map_official_key('main_branch.patch_embed.proj.2.weight')


def test_every_official_tensor_is_mapped_or_deliberately_dropped(reference):
    state_dict, _ = reference
    official = official_state_dict()
    mapped = {k: lib.map_official_key(k) for k in official}
    dropped = sorted(k for k, v in mapped.items() if v is None)
    assert dropped == sorted(
        ['vit_pos.cls_token', 'vit_pos.head.weight', 'vit_pos.head.bias',
         'vit_pos.to_Mask.0.weight', 'vit_pos.to_Mask.0.bias'] +
        [f'main_branch.layers.{i}.Relpos.{b}' for i in range(4)
         for b in ('angle', 'decay')])
    # one-to-one onto the plugin's state_dict
    targets = [v for v in mapped.values() if v is not None]
    assert len(targets) == len(set(targets)) == len(state_dict)
    assert set(targets) == set(state_dict)


def test_round_trip_through_the_cli(tmp_path):
    official = official_state_dict(seed=3)
    src, dst = tmp_path / 'official.pth', tmp_path / 'out' / 'plugin.pth'
    # as a DataParallel model would save it
    torch.save({'module.' + k: v for k, v in official.items()}, src)
    # SAMM's official class order is the plugin's: the tensors are kept
    cli.main([str(src), str(dst), '--class-set', 'samm_5'])
    assert sorted(os.listdir(dst.parent)) == ['plugin.pth']  # no temp files
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['meta']['num_classes'] == 5
    assert ckpt['meta']['source'] == 'official.pth'
    assert ckpt['meta']['classes'] == [
        'anger', 'contempt', 'happiness', 'surprise', 'other']

    init_default_scope('mmaction')
    model = MODELS.build(Config.fromfile(PAPER).model)
    model.load_state_dict(ckpt['state_dict'], strict=True)
    loaded = model.state_dict()
    for key, value in official.items():
        new_key = lib.map_official_key(key)
        if new_key is not None:
            assert torch.equal(loaded[new_key], value), key


def test_number_of_classes_follows_the_checkpoint(tmp_path):
    src, dst = tmp_path / 'official.pth', tmp_path / 'plugin.pth'
    torch.save({'state_dict': official_state_dict(num_classes=3)}, src)
    cli.main([str(src), str(dst), '--class-set', 'megc2019_3'])
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['state_dict']['cls_head.fc_cls.weight'].shape == (3, 1024)
    assert ckpt['meta']['num_classes'] == 3


def test_missing_key_is_named(reference):
    official = official_state_dict()
    del official['main_branch.layers.2.blocks.1.ffn.fc1.weight']
    with pytest.raises(lib.ConversionError,
                       match='missing key .* for backbone.stages.2.blocks.1.'
                       r'ffn.fc1.weight$'):
        lib.convert(official, *reference)


def test_wrong_shape_is_named(reference):
    official = official_state_dict()
    official['vit_pos.pos_embed'] = torch.zeros(1, 49, 512)
    with pytest.raises(lib.ConversionError,
                       match=r'shape mismatch for vit_pos.pos_embed .*'
                       r'official \(1, 49, 512\), model \(1, 196, 512\)'):
        lib.convert(official, *reference)


def test_other_decay_than_the_config_is_refused(reference):
    official = official_state_dict()
    official['main_branch.layers.3.Relpos.decay'] = head_log_decays(2, 2, 4)
    with pytest.raises(lib.ConversionError,
                       match='main_branch.layers.3.Relpos.decay differs'):
        lib.convert(official, *reference)


def test_cli_error_is_one_line(tmp_path):
    official = official_state_dict()
    official['main_branch.extra.weight'] = torch.zeros(1)
    src, dst = tmp_path / 'official.pth', tmp_path / 'plugin.pth'
    torch.save(official, src)
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, TOOL, str(src), str(dst),
                           '--class-set', 'casme2_5'],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr == ('convert_official_checkpoint.py: error: unexpected '
                           'key in the official checkpoint: '
                           'main_branch.extra.weight\n')
    assert not dst.exists()
    torch.save(official_state_dict(num_classes=3), src)
    proc = subprocess.run([sys.executable, TOOL, str(src), str(dst),
                           '--class-set', 'casme2_5'],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr == (
        f'convert_official_checkpoint.py: error: {src}: the checkpoint has 3 '
        'classes, the class set casme2_5 5 (happiness, disgust, repression, '
        'surprise, others)\n')


@pytest.mark.parametrize('class_set', sorted(lib.OFFICIAL_CLASSES))
def test_classifier_rows_follow_the_class_names(class_set):
    from mmaction_tsfmicro.annotations import CLASS_SETS
    official = lib.OFFICIAL_CLASSES[class_set]
    target = CLASS_SETS[class_set].classes
    n = len(target)
    # official row k holds the value k, in the weight and in the bias
    state = {'cls_head.fc_cls.weight': torch.arange(n).float()[:, None]
             .repeat(1, 4), 'cls_head.fc_cls.bias': torch.arange(n).float(),
             'backbone.x': torch.ones(2)}
    out = lib.reorder_classes(state, official, target)
    for i, name in enumerate(target):
        k = official.index(name)
        assert torch.equal(out['cls_head.fc_cls.weight'][i],
                           torch.full((4, ), float(k)))
        assert out['cls_head.fc_cls.bias'][i] == k
    assert out['backbone.x'] is state['backbone.x']
    if class_set in ('casme2_5', 'casme3_7', 'casme3_4', 'megc2019_3'):
        assert tuple(official) != tuple(target)  # they differ in order


def test_converted_model_predicts_the_official_class_names(tmp_path):
    """CASME II: the official rows are happiness, repression, disgust, ...
    The converted model gives each class name the official logit."""
    official = official_state_dict(seed=5)
    for key in official:  # a valid BatchNorm: positive variances
        if key.endswith('running_var'):
            official[key] = official[key].abs() + 0.5
    src, dst = tmp_path / 'official.pth', tmp_path / 'plugin.pth'
    torch.save(official, src)
    cli.main([str(src), str(dst), '--class-set', 'casme2_5'])
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    init_default_scope('mmaction')
    cfg = Config.fromfile(PAPER).model
    plugin, as_official = MODELS.build(cfg), MODELS.build(cfg)
    plugin.load_state_dict(ckpt['state_dict'])
    # the same tensors in the official order: the official model's logits
    identity = {lib.map_official_key(k): v for k, v in official.items()
                if lib.map_official_key(k) is not None}
    as_official.load_state_dict(identity)
    plugin.eval(), as_official.eval()
    inputs = torch.randn(2, 1, 3, 2, 224, 224)
    with torch.no_grad():
        ours = plugin._forward(inputs, stage='head')
        theirs = as_official._forward(inputs, stage='head')
    names = ckpt['meta']['classes']
    off = ckpt['meta']['official_classes']
    assert off == ['happiness', 'repression', 'disgust', 'surprise', 'others']
    for i, name in enumerate(names):
        assert torch.allclose(ours[:, i], theirs[:, off.index(name)])
    assert [names[j] for j in ours.argmax(1)] == [
        off[j] for j in theirs.argmax(1)]
