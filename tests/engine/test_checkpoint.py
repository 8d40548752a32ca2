"""engine/checkpoint.py: one reader of checkpoints, whose errors name the
file and, for another model's weights, the first key with both shapes."""
import pytest
import torch
from torch import nn

from mmaction_tsfmicro.engine.checkpoint import (CheckpointError, check_fits,
                                                 check_load_from,
                                                 first_difference,
                                                 load_weights, read_checkpoint)


def _model(width=4):
    return nn.Sequential(nn.Linear(3, width), nn.ReLU(), nn.Linear(width, 2))


def _save(path, model):
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)),
               path)
    return str(path)


def test_a_runner_checkpoint_loads_into_its_model(tmp_path):
    source = _model()
    path = _save(tmp_path / 'epoch_1.pth', source)
    target = _model()
    ckpt = load_weights(target, path, 'cfg.py')
    assert ckpt['meta'] == dict(epoch=1)
    for a, b in zip(source.parameters(), target.parameters()):
        assert torch.equal(a, b)


def test_a_plain_or_ddp_state_dict_is_read_too(tmp_path):
    source = _model()
    torch.save({f'module.{k}': v for k, v in source.state_dict().items()},
               tmp_path / 'ddp.pth')
    target = _model()
    load_weights(target, str(tmp_path / 'ddp.pth'))
    assert torch.equal(target[0].weight, source[0].weight)


@pytest.mark.parametrize('content,reason', [
    (b'not a checkpoint at all', 'invalid load key'),
    (None, 'PytorchStreamReader'),  # a real checkpoint cut in half
    (b'', 'Ran out of input'),
])
def test_a_damaged_file_is_named_in_one_short_line(tmp_path, content,
                                                   reason):
    path = tmp_path / 'bad.pth'
    if content is None:
        _save(path, _model(64))
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError) as err:
        read_checkpoint(str(path))
    message = str(err.value)
    assert message.startswith(
        f'{path}: not a readable PyTorch checkpoint (cut short, damaged or '
        'another kind of file: ')
    assert reason in message and '\n' not in message
    assert len(message) < len(str(path)) + 220


def test_missing_and_weightless_files(tmp_path):
    with pytest.raises(CheckpointError, match='nope.pth: checkpoint not '
                       'found'):
        read_checkpoint(str(tmp_path / 'nope.pth'))
    torch.save([1, 2], tmp_path / 'list.pth')
    with pytest.raises(CheckpointError, match=r'list.pth: holds no weights '
                       r'\(no state_dict; a list\)'):
        read_checkpoint(str(tmp_path / 'list.pth'))
    with pytest.raises(CheckpointError, match='^load_from=.*nope.pth: '
                       'checkpoint not found$'):
        check_load_from(str(tmp_path / 'nope.pth'))


def test_another_model_s_weights_name_the_config_and_first_key(tmp_path):
    path = _save(tmp_path / 'wide.pth', _model(8))
    target = _model(4)
    before = target[0].weight.clone()
    with pytest.raises(CheckpointError) as err:
        load_weights(target, path, 'configs/narrow.py')
    assert str(err.value) == (
        f'{path}: its weights are not those of the model of the config '
        'configs/narrow.py; the checkpoint comes from another config '
        '(0.weight: (8, 3) in the checkpoint, (4, 3) in the model '
        '(3 keys differ))')
    assert torch.equal(target[0].weight, before)  # nothing was loaded


def test_first_difference_names_missing_and_unexpected_keys():
    model = _model()
    state = dict(model.state_dict())
    assert first_difference(model, state) is None
    del state['2.bias']
    assert first_difference(model, state) == (
        '2.bias: (2,) in the model, not in the checkpoint')
    state = dict(model.state_dict(), extra=torch.zeros(5))
    assert first_difference(model, state) == (
        'extra: (5,) in the checkpoint, not in the model')


def test_check_fits_builds_the_config_s_model(tmp_path):
    from mmengine.config import Config

    from mmaction_tsfmicro.plugin import register_all_modules
    register_all_modules()
    cfg = Config(dict(model=dict(
        type='Recognizer3D', backbone=dict(type='TSFmicro', arch='tiny'),
        cls_head=dict(type='TSFmicroHead', num_classes=3, in_channels=8))))
    with pytest.raises(CheckpointError, match=r'model of the config a.py; '
                       r'the checkpoint comes from another config \('):
        check_fits(cfg, _save(tmp_path / 'other.pth', _model()), 'a.py')
