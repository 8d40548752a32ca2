"""The backbone's fast paths give the plain path's numbers: the exact ones
bit for bit (forward and gradients, in training), the inference rewrites
within 1e-4 and with the same predicted class; the cached tables follow
the map size, the dtype and the inference mode; ConvBN's folding."""
import copy
import os.path as osp
import pickle

import pytest
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models import TSFmicro
from mmaction_tsfmicro.models.backbones import fast_paths
from mmaction_tsfmicro.models.backbones.fast_paths import (
    attend, conv_bn_eval, fast_path_enabled, inference_rewrites,
    plain_path, rotary_phasor, rotate, rotate_pairs_exact, signed_sin)
from mmaction_tsfmicro.models.backbones.retention import (
    ManhattanSelfAttention, RetentionRelPos, RotaryTables, apply_rotary,
    conv_bn, decayed_attention)

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TINY_CFG = osp.join(REPO, 'configs', '_base_', 'models', 'tsfmicro_tiny.py')

#: name -> (backbone overrides, input size). The tiny preset (decomposed
#: attention in stage 1, full 2-D attention in stages 2-3) at 64x64, and
#: the paper's layout (4 stages, decomposed, decomposed, full, full; drop
#: path 0.1) on 32x32 pairs.
MODELS_UNDER_TEST = {
    'tiny': (dict(arch='tiny'), 64),
    'paper32': (dict(arch='paper', input_size=32), 32),
}
CASES = [(name, fusion) for name in MODELS_UNDER_TEST
         for fusion in ('late', 'early', 's2t', 't2s')]


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    # one thread: fast on a busy 2-core machine, and both paths alike
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def randomize_batchnorms(model: nn.Module, seed: int = 0) -> None:
    """Running statistics and affine terms far from the defaults, so that
    folding them into the convolution is not a no-op."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen))
            m.running_var.copy_(torch.rand(n, generator=gen) * 2 + .25)
            m.weight.data.copy_(torch.randn(n, generator=gen))
            m.bias.data.copy_(torch.randn(n, generator=gen))


def backbone(name: str, fusion: str, **extra) -> TSFmicro:
    kwargs, _ = MODELS_UNDER_TEST[name]
    torch.manual_seed(0)
    model = TSFmicro(fusion=fusion, **kwargs, **extra)
    randomize_batchnorms(model)
    return model


def pairs(name: str, n: int = 2) -> torch.Tensor:
    size = MODELS_UNDER_TEST[name][1]
    gen = torch.Generator().manual_seed(1)
    return torch.randn(n, 3, 2, size, size, generator=gen)


def cached_sizes(model: nn.Module):
    return [sorted(k[:3] for k in stage.rel_pos._tables)
            for stage in model.stages]


@pytest.mark.parametrize('chunk_bytes', [None, 1], ids=['one', 'chunked'])
@pytest.mark.parametrize('name, fusion', CASES)
def test_exact_path_equals_the_plain_path_bit_for_bit_in_training(
        name, fusion, chunk_bytes, monkeypatch):
    if chunk_bytes is not None:
        # every attention one sample at a time
        monkeypatch.setattr(fast_paths, 'CHUNK_BYTES', chunk_bytes)
    fast = backbone(name, fusion).train()
    plain = copy.deepcopy(fast)
    calls = []
    exact = ManhattanSelfAttention._forward_exact
    monkeypatch.setattr(ManhattanSelfAttention, '_forward_exact',
                        lambda *a: calls.append(1) or exact(*a))
    outputs, grads = [], []
    for model, context in ((fast, None), (plain, plain_path())):
        x = pairs(name).requires_grad_()
        weights = torch.Generator().manual_seed(2)
        torch.manual_seed(3)  # the same drop-path draws
        with context or torch.enable_grad():
            maps = model(x)
            if isinstance(maps, torch.Tensor):  # one map
                maps = (maps, )
            loss = sum((m * torch.randn(m.shape, generator=weights)).sum()
                       for m in maps)
            loss.backward()
        outputs.append(maps)
        grads.append([x.grad] + [p.grad for p in model.parameters()])
    # the fast model took the exact path with cached tables; the plain not
    assert len(calls) == sum(len(s.blocks) for s in fast.stages)
    assert all(len(sizes) == 1 for sizes in cached_sizes(fast))
    assert cached_sizes(plain) == [[] for _ in plain.stages]
    assert len(outputs[0]) == len(outputs[1]) == (2 if fusion == 'late'
                                                  else 1)
    for a, b in zip(*outputs):
        assert torch.equal(a, b)
    assert all(g is not None for g in grads[0])
    for a, b in zip(*grads):
        assert torch.equal(a, b)
    # training batch statistics moved the running ones alike
    for a, b in zip(fast.buffers(), plain.buffers()):
        assert torch.equal(a, b)


def recognizer(name: str, fusion: str):
    kwargs, _ = MODELS_UNDER_TEST[name]
    cfg = Config.fromfile(TINY_CFG).model
    cfg.backbone.update(kwargs, fusion=fusion)
    channels = TSFmicro.arch_zoo[kwargs['arch']]['embed_dims'][-1]
    cfg.neck.in_channels = channels
    cfg.cls_head.in_channels = channels
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    randomize_batchnorms(model.backbone)
    return model.eval()


def fit_head(model, inputs) -> None:
    """Make the head tell the first five samples apart, as a trained head
    tells its classes apart (a fresh one gives every sample one class):
    the rows of ``fc_cls`` become their centred, normalized features."""
    seen = []
    fc = model.cls_head.fc_cls
    hook = fc.register_forward_pre_hook(lambda m, a: seen.append(a[0]))
    with torch.no_grad(), plain_path():
        model.extract_feat(inputs, stage='head')
        hook.remove()
        centre = seen[0].mean(0)
        rows = seen[0][:5] - centre
        rows = rows / rows.norm(dim=1, keepdim=True)
        fc.weight.copy_(rows)
        fc.bias.copy_(-rows @ centre)


@pytest.mark.parametrize('name, fusion', CASES)
def test_inference_rewrites_match_the_plain_path(name, fusion, monkeypatch):
    model = recognizer(name, fusion)
    inputs = pairs(name, n=8)[:, None]  # (N, 1, C, T, H, W)
    fit_head(model, inputs)
    calls = []
    rewrite = ManhattanSelfAttention._forward_inference
    monkeypatch.setattr(ManhattanSelfAttention, '_forward_inference',
                        lambda *a: calls.append(1) or rewrite(*a))
    with torch.no_grad():
        assert inference_rewrites(model.backbone)
        fast = model.extract_feat(inputs, stage='head')[0]
        fast_maps = model.backbone(inputs[:, 0])
        with plain_path():
            assert not inference_rewrites(model.backbone)
            plain = model.extract_feat(inputs, stage='head')[0]
            plain_maps = model.backbone(inputs[:, 0])
    assert calls and fast.shape == plain.shape == (8, 5)
    # the rewrites of the retention stages round differently, but only just
    assert not torch.equal(fast_maps[0], plain_maps[0])
    for a, b in zip(fast_maps, plain_maps):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=0, atol=1e-4)
    torch.testing.assert_close(fast, plain, rtol=0, atol=1e-4)
    assert fast.argmax(1).tolist() == plain.argmax(1).tolist()
    assert plain.argmax(1).tolist()[:5] == [0, 1, 2, 3, 4]


def test_inference_mode_uses_the_rewrites_and_training_does_not():
    model = backbone('tiny', 'late')
    x = pairs('tiny')
    assert fast_path_enabled() and not inference_rewrites(model)
    with torch.no_grad():
        assert not inference_rewrites(model)  # training mode
        model.eval()
        assert inference_rewrites(model)
        assert inference_rewrites(model.stem[0])
    assert not inference_rewrites(model)  # autograd is on
    with torch.inference_mode():
        assert inference_rewrites(model)
        fast = model(x)
    with torch.no_grad(), plain_path():
        plain = model(x)
    for a, b in zip(fast, plain):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-4)


def test_plain_path_and_the_config_switch():
    assert fast_path_enabled()
    with plain_path():
        assert not fast_path_enabled()
        with plain_path():
            assert not fast_path_enabled()
        assert not fast_path_enabled()
    assert fast_path_enabled()
    # fast_ops=False: the plain path in every forward of the backbone, with
    # the fast one's numbers; no table is cached, nothing is left set
    x = pairs('tiny')
    fast = backbone('tiny', 'late').eval()
    plain = backbone('tiny', 'late', fast_ops=False).eval()
    plain.load_state_dict(fast.state_dict())
    with torch.no_grad():
        for a, b in zip(fast(x), plain(x)):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-4)
    assert cached_sizes(plain) == [[], [], []]
    assert fast_paths._state.fast is None
    assert fast_path_enabled()


def test_tables_are_built_once_per_size_and_equal_the_definition():
    rel = RetentionRelPos(head_dim=8, num_heads=2, decay_init=2,
                          decay_range=4)
    rotary, masks = rel.tables(4, 6, decomposed=True)
    assert rel.tables(4, 6, decomposed=True)[0] is rotary
    assert isinstance(rotary, RotaryTables)
    (sin, cos), ref_masks = rel(4, 6, decomposed=True)
    assert torch.equal(rotary[0], sin) and torch.equal(rotary[1], cos)
    assert [m.shape for m in masks] == [(2, 4, 4), (2, 6, 6)]
    assert all(torch.equal(a, b) for a, b in zip(masks, ref_masks))
    assert torch.equal(rotary.sin_signed[..., 0::2], -sin[..., 0::2])
    assert torch.equal(rotary.sin_signed[..., 1::2], sin[..., 1::2])
    assert rotary.phasor.shape == (4, 6, 4) and rotary.phasor.is_complex()
    assert torch.equal(rotary.phasor.imag, sin[..., 0::2])
    # another size, another form: other tables
    other, _ = rel.tables(6, 4, decomposed=True)
    assert other.phasor.shape == (6, 4, 4)
    assert not torch.equal(other[0][:4, :4], rotary[0][:4, :4])
    full_rotary, full = rel.tables(4, 6, decomposed=False)
    assert full[0].shape == (2, 24, 24)
    assert full_rotary is not rotary
    assert torch.equal(full_rotary[0], rotary[0])
    assert len(rel._tables) == 3
    # a few sizes are kept, never more than max_cached
    for n in range(1, 2 * rel.max_cached):
        rel.tables(n, n, decomposed=False)
        assert 1 <= len(rel._tables) <= rel.max_cached
    assert list(rel.state_dict()) == []  # nothing enters a checkpoint


def test_tables_are_rebuilt_after_to_dtype():
    model = backbone('tiny', 'late').eval()
    x = pairs('tiny')
    with torch.no_grad():
        model(x)
    assert cached_sizes(model) == [[(16, 16, True)], [(8, 8, False)],
                                   [(4, 4, False)]]
    model.double()
    assert cached_sizes(model) == [[], [], []]
    with torch.no_grad():
        fast = model(x.double())
        with plain_path():
            plain = model(x.double())
    for stage in model.stages:
        (key, ((sin, cos), masks)), = stage.rel_pos._tables.items()
        assert key[4] == torch.float64
        assert sin.dtype == cos.dtype == torch.float64
        assert stage.rel_pos.tables(*key[:3])[0].phasor.dtype == \
            torch.complex64
        assert all(m.dtype == torch.float64 for m in masks)
    for a, b in zip(fast, plain):
        assert a.dtype == torch.float64
        torch.testing.assert_close(a, b, rtol=0, atol=1e-4)


def test_a_table_built_in_inference_mode_is_not_reused_under_autograd():
    model = backbone('tiny', 'late')
    x = pairs('tiny')
    with torch.inference_mode():
        model.eval()(x)
    stage = model.stages[0]
    (inference_key, (inference_rotary, _)), = stage.rel_pos._tables.items()
    assert inference_key[5] is True and inference_rotary[0].is_inference()
    # such a tensor cannot be saved for backward: reusing it would fail
    with pytest.raises(RuntimeError, match='[Ii]nference tensors'):
        q = torch.ones(16, 16, 8, requires_grad=True)
        apply_rotary(q, inference_rotary).sum().backward()
    model.train()
    maps = model(x)
    sum(m.sum() for m in maps).backward()
    assert all(p.grad is not None for p in model.stages[0].parameters())
    keys = sorted(k[5] for k in stage.rel_pos._tables)
    assert keys == [False, True]
    rotary, _ = stage.rel_pos._tables[inference_key[:5] + (False, )]
    assert not rotary[0].is_inference()
    assert torch.equal(rotary[0], inference_rotary[0])


def test_a_model_with_cached_tables_copies_and_pickles():
    model = backbone('tiny', 'late').eval()
    x = pairs('tiny')
    with torch.no_grad():
        ref = model(x)
    for other in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        rotary, _ = next(iter(other.stages[0].rel_pos._tables.values()))
        assert isinstance(rotary, RotaryTables)
        assert rotary.phasor.shape == (16, 16, 4)
        with torch.no_grad():
            out = other(x)
        assert all(torch.equal(a, b) for a, b in zip(out, ref))


def test_exact_rotation_and_attention_equal_the_definitions():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, 7, 8, generator=gen, requires_grad=True)
    rel = RetentionRelPos(8, 3, 2, 4)
    sin, cos = rel.rotary(5, 7)
    exact = rotate_pairs_exact(x, cos, signed_sin(sin))
    plain = apply_rotary(x, (sin, cos))
    assert torch.equal(exact, plain)
    g_exact, = torch.autograd.grad(exact.square().sum(), x)
    g_plain, = torch.autograd.grad(plain.square().sum(), x)
    assert torch.equal(g_exact, g_plain)
    # the complex rotation, also of a permuted (non-contiguous) view
    view = x.detach().transpose(2, 3).contiguous().transpose(2, 3)
    assert not view.is_contiguous()
    rotated = rotate(view, rotary_phasor(sin, cos))
    torch.testing.assert_close(rotated, plain.detach(), rtol=0, atol=1e-6)
    q, k, v = (torch.randn(2, 3, 5, 7, 8, generator=gen) for _ in range(3))
    mask = rel(5, 7, decomposed=True)[1][1][:, None]
    assert torch.equal(attend(q, k, v, mask, 8**-.5),
                       decayed_attention(q, k, v, mask, 8**-.5))


def test_attention_in_chunks_is_bit_exact(monkeypatch):
    gen = torch.Generator().manual_seed(0)
    # (N, heads, L, d) of a full 2-D stage: 2 * 49 * 49 * 4 bytes a sample
    shape = (5, 2, 49, 8)
    q, k, v = (torch.randn(shape, generator=gen, requires_grad=True)
               for _ in range(3))
    mask = RetentionRelPos(8, 2, 2, 4)(7, 7, decomposed=False)[1][0]
    weights = torch.randn(shape, generator=gen)
    assert fast_paths.attention_chunk(q, k) == 5  # fits: one call
    per_sample = 2 * 49 * 49 * 4
    monkeypatch.setattr(fast_paths, 'CHUNK_BYTES', 2 * per_sample + 1)
    assert fast_paths.attention_chunk(q, k) == 2  # chunks of 2, 2 and 1
    calls = []
    chunk = fast_paths._attend_cpu
    monkeypatch.setattr(fast_paths, '_attend_cpu',
                        lambda *a: calls.append(a[0].shape[0]) or chunk(*a))
    results = []
    for fn in (attend, decayed_attention):
        out = fn(q, k, v, mask, 8**-.5)
        grads = torch.autograd.grad((out * weights).sum(), (q, k, v))
        results.append((out, ) + grads)
    assert calls == [2, 2, 1]
    for a, b in zip(*results):
        assert torch.equal(a, b)
    monkeypatch.setattr(fast_paths, 'CHUNK_BYTES', 1)
    assert fast_paths.attention_chunk(q, k) == 1  # never less than one
    short = torch.zeros(5, 2, 15, 8)  # fewer than MIN_CHUNK_TOKENS
    assert fast_paths.attention_chunk(short, short) == 5


def test_the_demo_model_in_chunks_equals_the_plain_path_bit_for_bit(
        monkeypatch):
    """The demo's TSFmicro-tiny at its 112x112, in training: the 14x14
    stage's attention runs in chunks of 3, 3 and 2 samples (the default
    CHUNK_BYTES), forward and backward as the plain path to the bit."""
    torch.manual_seed(0)
    fast = TSFmicro(arch='tiny').train()
    plain = copy.deepcopy(fast)
    x = torch.randn(8, 3, 2, 112, 112,
                    generator=torch.Generator().manual_seed(1))
    q = torch.zeros(8, 2, 196, 16)
    assert fast_paths.attention_chunk(q, q) == 3
    calls = []
    chunk = fast_paths._attend_cpu
    monkeypatch.setattr(fast_paths, '_attend_cpu',
                        lambda *a: calls.append(a[0].shape[:3]) or chunk(*a))
    results = []
    for model, context in ((fast, None), (plain, plain_path())):
        inputs = x.clone().requires_grad_()
        torch.manual_seed(3)  # the same drop-path draws
        with context or torch.enable_grad():
            maps = model(inputs)
            sum(m.square().sum() for m in maps).backward()
        results.append(list(maps) + [inputs.grad] +
                       [p.grad for p in model.parameters()])
    # the 14x14 stage in chunks; stage 1's row and column passes at 28x28
    # (2 * 28 * 28 * 28 floats a sample) in chunks of 5 and 3
    assert [c[0] for c in calls if c[2] == 196] == [3, 3, 2]
    assert [c[0] for c in calls if c[1:] == (2, 28)] == [5, 3] * 2
    for a, b in zip(*results):
        assert torch.equal(a, b)


def test_folded_conv_bn_equals_conv_then_bn_in_eval(monkeypatch):
    torch.manual_seed(0)
    block = conv_bn(3, 8, stride=2, act=True)
    randomize_batchnorms(block)
    assert list(block.state_dict()) == [
        'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias',
        'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked'
    ]
    x = torch.randn(2, 3, 9, 9)
    block.eval()
    with torch.no_grad():
        expected = block.activate(block.bn(block.conv(x)))
        direct = conv_bn_eval(x, block.conv, block.bn)

        def not_called(*args):
            raise AssertionError('the BatchNorm ran')

        # folded: one convolution, the BatchNorm module is not called
        monkeypatch.setattr(nn.BatchNorm2d, 'forward', not_called)
        folded = block(x)
    monkeypatch.undo()
    assert folded.shape == expected.shape == (2, 8, 5, 5)
    torch.testing.assert_close(folded, expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(block.activate(direct), expected, rtol=0,
                               atol=1e-5)
    # with autograd, or in training, the two modules run as they are
    assert torch.equal(block(x), expected)
    block.train()
    assert conv_bn_eval(x, block.conv, block.bn) is None
    twin = copy.deepcopy(block)
    assert torch.equal(block(x), twin.activate(twin.bn(twin.conv(x))))
    # batch statistics only: nothing to fold
    no_stats = nn.BatchNorm2d(8, track_running_stats=False).eval()
    assert conv_bn_eval(x, block.conv, no_stats) is None
    with torch.no_grad():
        block.bn = no_stats
        block.eval()
        assert torch.equal(block(x),
                           block.activate(no_stats(block.conv(x))))
