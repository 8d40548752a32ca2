"""Temporal retention: the parallel, chunkwise and recurrent forms compute
one function (outputs and gradients), the paper's equations, causally, in
constant memory."""
import math

import pytest
import torch

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.common import (TemporalRetention,
                                             TemporalRetentionBlock,
                                             TemporalRetentionStack,
                                             state_numel)

TOL = dict(rtol=1e-10, atol=1e-12)


@pytest.fixture(autouse=True)
def one_thread():
    """These tensors are tiny: a second thread only waits for the first
    (on a busy machine, 30 times slower a step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def make_stack(seed=0, **kwargs):
    torch.manual_seed(seed)
    kwargs = dict(dict(embed_dims=8, depth=2, num_heads=2), **kwargs)
    stack = TemporalRetentionStack(**kwargs).double()
    # non-trivial norms and biases, so that every parameter matters
    with torch.no_grad():
        for p in stack.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return stack


def inputs(length, seed=1, batch=2, channels=8, scale=2.):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(
        batch, length, channels, generator=g, dtype=torch.float64)


def outputs_and_grads(module, x, **form):
    """Outputs, d(loss)/d(input) and d(loss)/d(every parameter)."""
    x = x.clone().requires_grad_(True)
    y, _ = module(x, **form)
    weights = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).view_as(y)
    loss = (y * weights).sum() + (y**2).sum()
    params = [p for p in module.parameters()]
    grads = torch.autograd.grad(loss, [x] + params)
    return y.detach(), grads


FORMS = [dict(form='recurrent')] + [
    dict(form='chunkwise', chunk_size=c) for c in (1, 3, 8)
]


@pytest.mark.parametrize('length', [1, 7, 13])
@pytest.mark.parametrize('form', FORMS, ids=lambda f: str(f))
def test_forms_agree_in_outputs_and_gradients(length, form):
    stack = make_stack()
    x = inputs(length)
    y_par, g_par = outputs_and_grads(stack, x, form='parallel')
    y, g = outputs_and_grads(stack, x, **form)
    assert y.shape == (2, length, 8)
    torch.testing.assert_close(y, y_par, **TOL)
    assert len(g) == len(g_par) == 1 + len(list(stack.parameters()))
    for a, b in zip(g, g_par):
        assert b.abs().max() > 0  # every gradient is used
        torch.testing.assert_close(a, b, **TOL)


def test_forms_agree_with_strong_and_custom_decays():
    stack = make_stack(gammas=(0.3, 0.8), value_factor=1)
    x = inputs(11)
    y_par, _ = stack(x)
    for form in FORMS:
        torch.testing.assert_close(stack(x, **form)[0], y_par, **TOL)
    assert stack.blocks[0].retention.gammas == pytest.approx([0.3, 0.8])


def test_states_after_a_sequence_agree_between_forms():
    stack = make_stack()
    x = inputs(13)
    _, ref = stack(x)
    for form in FORMS:
        _, state = stack(x, **form)
        for a, b in zip(state, ref):
            assert a['position'] == b['position'] == 13
            torch.testing.assert_close(a['kv'], b['kv'], **TOL)
            torch.testing.assert_close(a['key_sum'], b['key_sum'], **TOL)


def test_step_called_t_times_equals_the_parallel_form():
    stack = make_stack()
    x = inputs(9)
    y_par, _ = stack(x)
    state = stack.init_state(2, dtype=torch.float64)
    for t in range(9):
        y_t, state = stack.step(x[:, t], state)
        assert y_t.shape == (2, 8)
        torch.testing.assert_close(y_t, y_par[:, t], **TOL)


def test_a_sequence_fed_in_pieces_in_any_form_equals_the_whole():
    stack = make_stack()
    x = inputs(13)
    y_par, _ = stack(x)
    y1, state = stack(x[:, :4])
    y2, state = stack(x[:, 4:9], state, form='chunkwise', chunk_size=2)
    y3, state = stack(x[:, 9:], state, form='recurrent')
    torch.testing.assert_close(torch.cat([y1, y2, y3], 1), y_par, **TOL)
    assert state[0]['position'] == 13


def test_step_leaves_the_given_state_unchanged():
    module = TemporalRetention(8, 2).double()
    state = module.init_state(2, dtype=torch.float64)
    _, new = module.step(inputs(1)[:, 0], state)
    assert state['position'] == 0 and state['kv'].abs().max() == 0
    assert new['position'] == 1 and new['kv'].abs().max() > 0


def test_state_size_is_constant():
    stack = make_stack()
    state = stack.init_state(2, dtype=torch.float64)
    sizes = {}
    x = inputs(1000, channels=8, scale=1.)
    with torch.no_grad():
        for t in range(1000):
            _, state = stack.step(x[:, t], state)
            if t + 1 in (10, 1000):
                sizes[t + 1] = (state_numel(state),
                                [s['kv'].shape for s in state])
    # per block: kv (N, heads, dk, dv) + key_sum (N, heads, dk)
    expected = 2 * (2 * 2 * 4 * 8 + 2 * 2 * 4)
    assert sizes[10] == sizes[1000]
    assert sizes[10][0] == expected
    assert state[0]['position'] == 1000
    assert torch.isfinite(state[1]['kv']).all()


def test_causality_a_future_frame_changes_no_earlier_output():
    stack = make_stack()
    x = inputs(10)
    changed = x.clone()
    # random, not a constant: the LayerNorms would remove a constant shift
    changed[:, 6] += inputs(1, seed=5)[:, 0]
    for form in [dict(form='parallel')] + FORMS:
        y, _ = stack(x, **form)
        y_changed, _ = stack(changed, **form)
        torch.testing.assert_close(y_changed[:, :6], y[:, :6], **TOL)
        assert (y_changed[:, 6:] - y[:, 6:]).abs().amax(dim=(0, 2)).min() \
            > 1e-6


# --- the paper's equations, written out with loops over n and m ----------


def literal_retention(module, x):
    """RetNet's multi-scale retention of one sequence, term by term.

    q_n, k_n rotated by n * theta_i per channel pair, k scaled by
    d^-1/2; D_nm = gamma^(n-m) / sqrt(sum_{i<=n} gamma^(n-i)); R_nm =
    (q_n . k_m) D_nm; R~_nm = R_nm / max(|sum_m R_nm|, 1); o_n = sum_m R~_nm
    v_m; GroupNorm per head; swish gate; output projection.
    Returns the output (T, C) and every row sum |sum_m R_nm|.
    """
    heads, dk, dv = module.num_heads, module.key_dim, module.value_dim
    T = x.shape[0]
    wq, wk = module.q_proj.weight, module.k_proj.weight
    wv, wg = module.v_proj.weight, module.g_proj.weight
    half = dk // 2
    thetas = [1.0 / 10000**(i / (half - 1)) if half > 1 else 1.0
              for i in range(half)]

    def rotated(vec, n):
        out = vec.clone()
        for i, theta in enumerate(thetas):
            a, b = vec[2 * i], vec[2 * i + 1]
            c, s = math.cos(n * theta), math.sin(n * theta)
            out[2 * i] = a * c - b * s
            out[2 * i + 1] = b * c + a * s
        return out

    rows_seen = []
    normed = torch.zeros(T, heads * dv, dtype=x.dtype)
    for h in range(heads):
        gamma = 1 - 2**(-5 - h)
        qs = [rotated(wq[h * dk:(h + 1) * dk] @ x[n], n) for n in range(T)]
        ks = [rotated(wk[h * dk:(h + 1) * dk] @ x[m], m) / math.sqrt(dk)
              for m in range(T)]
        vs = [wv[h * dv:(h + 1) * dv] @ x[m] for m in range(T)]
        for n in range(T):
            row_of_d = sum(gamma**(n - i) for i in range(n + 1))
            scores = [(qs[n] @ ks[m]) * gamma**(n - m) / math.sqrt(row_of_d)
                      for m in range(n + 1)]
            total = sum(scores)
            rows_seen.append(abs(float(total)))
            o = sum(s * vs[m] for m, s in enumerate(scores)) / max(
                abs(total), 1.)
            mean = o.mean()
            var = ((o - mean)**2).mean()
            gn = module.group_norm
            sl = slice(h * dv, (h + 1) * dv)
            normed[n, sl] = (o - mean) / torch.sqrt(
                var + gn.eps) * gn.weight[sl] + gn.bias[sl]
    out = torch.zeros(T, module.embed_dims, dtype=x.dtype)
    for n in range(T):
        gate = wg @ x[n]
        gate = gate * torch.sigmoid(gate)
        out[n] = module.out_proj.weight @ (gate * normed[n]) + \
            module.out_proj.bias
    return out, rows_seen


@pytest.mark.parametrize('scale', [0.3, 3.])
def test_parallel_form_equals_the_papers_equations(scale):
    torch.manual_seed(0)
    module = TemporalRetention(8, 2).double()
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn_like(p))
    x = inputs(7, batch=1, scale=scale)
    y, _ = module(x)
    with torch.no_grad():
        expected, rows = literal_retention(module, x[0])
    torch.testing.assert_close(y[0].detach(), expected, **TOL)
    if scale > 1:  # the score normalisation acts on some rows, not all
        assert max(rows) > 1 and min(rows) < 1
    else:
        assert max(rows) < 1


def test_default_decays_are_the_papers():
    module = TemporalRetention(16, 4)
    assert module.gammas == pytest.approx([1 - 2**-5, 1 - 2**-6,
                                           1 - 2**-7, 1 - 2**-8])
    assert TemporalRetention(16, 2, decay_start=2, decay_step=2).gammas == \
        pytest.approx([1 - 2**-2, 1 - 2**-4])
    # derived, not stored: checkpoints hold the learned weights only
    assert not [k for k in module.state_dict() if 'gamma' in k]


def test_half_precision_keeps_the_float64_constants():
    module = TemporalRetention(8, 2).half()
    assert module._log_gamma.dtype == torch.float64


def test_float32_streaming_matches_the_parallel_form():
    torch.manual_seed(0)
    stack = TemporalRetentionStack(16, 2, 4)
    x = torch.randn(3, 20, 16)
    with torch.no_grad():
        y, _ = stack(x)
        state = stack.init_state(3)
        steps = []
        for t in range(20):
            y_t, state = stack.step(x[:, t], state)
            steps.append(y_t)
    torch.testing.assert_close(torch.stack(steps, 1), y, rtol=1e-4,
                               atol=1e-5)


def test_block_is_pre_norm_with_residuals():
    torch.manual_seed(0)
    block = TemporalRetentionBlock(8, 2).double()
    x = inputs(5)
    y, _ = block(x)
    r, _ = block.retention(block.norm1(x))
    mid = x + r
    torch.testing.assert_close(y, mid + block.ffn(block.norm2(mid)), **TOL)


@pytest.mark.parametrize('kwargs,message', [
    (dict(form='sideways'), 'form must be one of'),
    (dict(form='chunkwise'), 'needs chunk_size'),
    (dict(form='chunkwise', chunk_size=0), 'needs chunk_size'),
])
def test_bad_forms_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_stack()(inputs(3), **kwargs)


def test_bad_shapes_and_settings_are_refused():
    module = TemporalRetention(8, 2)
    with pytest.raises(ValueError, match=r'expects \(N, T >= 1, 8\)'):
        module(torch.zeros(2, 3, 6))
    with pytest.raises(ValueError, match=r'expects \(N, T >= 1, 8\)'):
        module(torch.zeros(2, 0, 8))
    with pytest.raises(ValueError, match=r'step expects \(N, 8\)'):
        module.step(torch.zeros(2, 1, 8), module.init_state(2))
    with pytest.raises(ValueError, match='not divisible'):
        TemporalRetention(10, 4)
    with pytest.raises(ValueError, match='must be even'):
        TemporalRetention(6, 2)
    with pytest.raises(ValueError, match='3 gammas given for 2 heads'):
        TemporalRetention(8, 2, gammas=(.5, .6, .7))
    with pytest.raises(ValueError, match=r'lie in \(0, 1\)'):
        TemporalRetention(8, 2, gammas=(.5, 1.))
    with pytest.raises(ValueError, match='depth must be >= 1'):
        TemporalRetentionStack(8, 0, 2)
