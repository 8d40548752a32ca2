"""tools/analysis_tools/benchmark_stream.py (benchmarks/streaming.py): the
table, the checks, the memory probe."""
import os.path as osp
import re
import runpy
import sys

from conftest import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'benchmark_stream.py')
CONFIG = osp.join(REPO_ROOT, 'configs', 'spotting',
                  'spotter_tsfmicro-seq_1xb8-10e_demo-long.py')


def run_here(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, 'argv', [TOOL, *map(str, args)])
    try:
        runpy.run_path(TOOL, run_name='__main__')
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    return capsys.readouterr().out


def test_methods_side_by_side_and_the_long_run(monkeypatch, capsys):
    out = run_here(monkeypatch, capsys, CONFIG, '--frames', 4, '--long', 20,
                   '--windows', 4, 8, '--no-memory')
    rows = [line for line in out.splitlines() if line.startswith('| ')]
    assert rows[0].startswith('| method | median ms / frame')
    names = [r.split('|')[1].strip() for r in rows[1:7]]
    assert names == ['recurrent', 'window 4', 'window 8', 'cached 4',
                     'cached 8', 'frames seen']
    # what each keeps: a constant state, or the window's frames (96 x 96)
    window8 = rows[3].split('|')
    assert window8[6].strip() == f'{8 * 3 * 96 * 96 * 4 / 1024:.1f} KB'
    assert window8[4].strip() == '1.0x'  # the longest window is the base
    # the cached window keeps 8 features of 64 channels and one frame
    cached8 = rows[5].split('|')
    assert cached8[6].strip() == f'{(8 * 64 + 3 * 96 * 96) * 4 / 1024:.1f} KB'
    blocks = [r.split('|') for r in rows[7:]]
    assert [int(b[1]) for b in blocks] == [4, 8, 12, 16, 20]
    assert len({b[3] for b in blocks}) == 1  # the state does not grow
    check, cached = out.strip().splitlines()[-2:]
    assert re.fullmatch(r'recurrent vs cached 8 \(features cached, the '
                        r'retention re-run\): [\d.]+x faster', cached)
    assert re.match(r'recurrent vs window 8: [\d.]+x faster \(needs >= 10x: '
                    r'(yes|NO)\); state constant over 20 frames: yes', check)


def test_memory_probe_reports_the_rise(monkeypatch, capsys):
    out = run_here(monkeypatch, capsys, CONFIG, '--windows', 4, 32,
                   '--memory-probe', 'window 32')
    peak = float(out.strip().split()[-1])
    assert out.startswith('PEAK ') and peak >= 0


def test_a_cached_window_over_the_whole_stream_is_the_recurrent_form():
    """With the stream's first frames in its cache, the cached window scores
    the last frame as the recurrent form does: the baseline computes the
    same function, only slower."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    from mmaction.registry import MODELS
    from mmaction_tsfmicro.benchmarks.streaming import Methods
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model).eval()
    methods = Methods(model, 96, [6])
    state = model.init_state(1)
    with torch.no_grad():
        for t in range(6):
            spot, _, state = model.step(methods.push(t), state)
    methods.prime()
    assert abs(methods.cached_score(6) - float(spot[0])) < 1e-5
