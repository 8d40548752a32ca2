"""TSFmicroSeq: per-frame features over a whole clip, the streaming form
equal to the parallel one, clip pooling, and the recognizer around it."""
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.backbones.tsfmicro_seq import TSFmicroSeq
from mmaction_tsfmicro.models.common import state_numel

#: A very small variant: 16x16 frames, 8 channels.
MINI = dict(stem_channels=[4, 8], stem_strides=[2, 2], grid_size=2,
            embed_dims=8, depth=2, num_heads=2)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors: a second thread only waits for the first."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def mini(dtype=torch.float32, seed=0, **kwargs):
    torch.manual_seed(seed)
    model = TSFmicroSeq(**{**MINI, **kwargs})
    model.init_weights()
    with torch.no_grad():  # non-trivial BatchNorm statistics and affines
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-.5, .5)
                m.running_var.uniform_(.5, 2.)
                m.weight.uniform_(.5, 1.5)
    return model.to(dtype)


def clip(n=2, t=7, size=16, dtype=torch.float32, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, t, size, size, generator=g).to(dtype)


def stream(model, x):
    """Every frame of ``x`` through ``step``: the features and the state."""
    state = model.init_state(x.shape[0], dtype=x.dtype)
    feats = []
    for t in range(x.shape[2]):
        feat, state = model.step(x[:, :, t], state)
        feats.append(feat)
    return torch.stack(feats, 1), state


def test_registered():
    assert MODELS.get('TSFmicroSeq') is TSFmicroSeq


@pytest.mark.parametrize('pooling,shape', [('mean', (2, 8, 1, 1, 1)),
                                           ('last', (2, 8, 1, 1, 1)),
                                           ('none', (2, 8, 7, 1, 1))])
def test_output_shapes_and_pooling(pooling, shape):
    model = mini(pooling=pooling).eval()
    x = clip()
    with torch.no_grad():
        out, frames = model(x), model.forward_frames(x)
    assert frames.shape == (2, 7, 8)
    assert out.shape == shape
    expected = dict(mean=frames.mean(1), last=frames[:, -1])
    if pooling == 'none':
        torch.testing.assert_close(out[..., 0, 0], frames.transpose(1, 2))
    else:
        torch.testing.assert_close(out.flatten(1), expected[pooling])


@pytest.mark.parametrize('mode', ['diff_first', 'frames', 'diff_prev'])
@pytest.mark.parametrize('dtype,tol', [(torch.float64, 1e-10),
                                       (torch.float32, 1e-5)])
def test_step_equals_forward_frames(mode, dtype, tol):
    model = mini(dtype, input_mode=mode).eval()
    x = clip(dtype=dtype)
    with torch.no_grad():
        expected = model.forward_frames(x)
        feats, state = stream(model, x)
    assert feats.dtype == dtype
    torch.testing.assert_close(feats, expected, rtol=tol, atol=tol)
    assert state['frames'] == 7


def test_the_input_modes_are_what_they_say():
    """'diff_first' of a clip is 'frames' of the clip minus its first
    frame; 'diff_prev' of a clip is 'frames' of its successive
    differences."""
    x = clip(dtype=torch.float64)
    models = {m: mini(torch.float64, input_mode=m).eval()
              for m in ('frames', 'diff_first', 'diff_prev')}
    with torch.no_grad():
        plain = models['frames'].forward_frames
        torch.testing.assert_close(
            models['diff_first'].forward_frames(x), plain(x - x[:, :, :1]))
        prev = torch.cat((x[:, :, :1], x[:, :, :-1]), 2)
        torch.testing.assert_close(
            models['diff_prev'].forward_frames(x), plain(x - prev))


def test_diff_first_state_keeps_the_first_frame_and_a_constant_size():
    model = mini(torch.float64).eval()
    x = clip(n=1, t=3, dtype=torch.float64)
    state = model.init_state(1, dtype=torch.float64)
    sizes = {}
    with torch.no_grad():
        for t in range(300):
            _, state = model.step(x[:, :, t % 3] + 0.01 * t, state)
            if t + 1 in (10, 300):
                sizes[t + 1] = state_numel(state)
    assert sizes[10] == sizes[300]
    torch.testing.assert_close(state['reference'], x[:, :, 0])
    assert state['frames'] == 300
    assert torch.isfinite(state['feature_sum']).all()


@pytest.mark.parametrize('pooling', ['mean', 'last'])
def test_clip_feature_of_a_stream_equals_forward_on_the_clip_so_far(
        pooling):
    model = mini(torch.float64, pooling=pooling).eval()
    x = clip(dtype=torch.float64)
    state = model.init_state(2, dtype=torch.float64)
    with torch.no_grad():
        for t in range(7):
            _, state = model.step(x[:, :, t], state)
            torch.testing.assert_close(
                model.clip_feature(state), model(x[:, :, :t + 1]),
                rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('form', [
    dict(form='recurrent'),
    dict(form='chunkwise', chunk_size=1),
    dict(form='chunkwise', chunk_size=3)
])
def test_forms_agree_in_training_mode_with_gradients(form):
    """In training mode too (BatchNorm on the batch's frames), the forms
    of forward_frames give the same features and gradients."""
    model = mini(torch.float64).train()
    x = clip(dtype=torch.float64)

    def run(**kw):
        inp = x.clone().requires_grad_(True)
        y = model.forward_frames(inp, **kw)
        loss = (y * torch.linspace(-1, 1, y.numel(), dtype=y.dtype).view_as(
            y)).sum()
        return y.detach(), torch.autograd.grad(
            loss, [inp] + list(model.parameters()))

    y_par, g_par = run(form='parallel')
    y, g = run(**form)
    torch.testing.assert_close(y, y_par, rtol=1e-10, atol=1e-12)
    for a, b in zip(g, g_par):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_chunk_size_option_gives_the_same_function():
    x = clip(t=9)
    with torch.no_grad():
        par = mini().eval()(x)
        chunked = mini(chunk_size=4).eval()
        torch.testing.assert_close(chunked(x), par, rtol=1e-5, atol=1e-6)


def test_causality_a_future_frame_changes_no_earlier_feature():
    model = mini(torch.float64).eval()
    x = clip(dtype=torch.float64)
    changed = x.clone()
    changed[:, :, 4] += clip(t=1, dtype=torch.float64, seed=7)[:, :, 0]
    with torch.no_grad():
        y, y_changed = model.forward_frames(x), model.forward_frames(changed)
    torch.testing.assert_close(y_changed[:, :4], y[:, :4], rtol=0, atol=0)
    assert (y_changed[:, 4:] - y[:, 4:]).abs().amax(dim=(0, 2)).min() > 1e-6


def recognizer(head):
    return MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(type='TSFmicroSeq', **MINI),
            cls_head=head,
            data_preprocessor=dict(
                type='ActionDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                format_shape='NCTHW')))


@pytest.mark.parametrize('head', [
    dict(type='I3DHead', num_classes=3, in_channels=8, average_clips='prob'),
    dict(type='TSFmicroHead', num_classes=3, in_channels=8,
         hidden_channels=16, average_clips='prob'),
])
def test_recognizer_trains_and_predicts_with_mmaction_heads(head):
    torch.manual_seed(0)
    model = recognizer(head)
    model.init_weights()
    inputs = [torch.randint(0, 255, (1, 3, 5, 16, 16), dtype=torch.uint8)
              for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   training=True)
    losses = model(**data, mode='loss')
    assert losses['loss_cls'].item() > 0
    losses['loss_cls'].backward()
    assert model.backbone.stem[0][0].conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=inputs, data_samples=samples), training=False)
        preds = model(**data, mode='predict')
    assert len(preds) == 4
    assert preds[0].pred_score.shape == (3, )
    assert torch.allclose(preds[0].pred_score.sum(), torch.tensor(1.))


def test_bad_arguments_and_inputs_are_refused():
    with pytest.raises(ValueError, match='input_mode must be one of'):
        TSFmicroSeq(input_mode='flow')
    with pytest.raises(ValueError, match='pooling must be one of'):
        TSFmicroSeq(pooling='max')
    with pytest.raises(ValueError, match='needs chunk_size'):
        TSFmicroSeq(chunk_size=0)
    model = mini()
    with pytest.raises(ValueError, match=r'expects \(N, 3, T >= 1, H, W\) '
                       r'clips, onset first, got shape \(2, 3, 16, 16\)'):
        model(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match=r'step expects \(N, 3, H, W\)'):
        model.step(torch.zeros(2, 3, 1, 16, 16), model.init_state(2))
    with pytest.raises(ValueError, match='after at least one step'):
        model.clip_feature(model.init_state(2))
    with pytest.raises(ValueError, match="pooling='none' keeps every frame"):
        none = mini(pooling='none')
        _, state = none.step(torch.zeros(1, 3, 16, 16), none.init_state(1))
        none.clip_feature(state)
