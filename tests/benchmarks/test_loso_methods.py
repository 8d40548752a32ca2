"""tools/analysis_tools/benchmark_methods.py (benchmarks/loso_methods.py,
results_table.py) on a tiny generated data set: two tiny
configs (TSFmicro-tiny on frame pairs, STSTNet on flow computed on first
load) x two seeds x one fold, the table, a second call that reads every
finished run instead of running it again, and a third with other subjects
that is refused."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import yaml
from conftest import run_script

from mmaction_tsfmicro.benchmarks import loso_methods, results_table
from mmaction_tsfmicro.testing import make_synthetic_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_methods.py')

STSTNET_TINY = '''
_base_ = ['{root}/configs/baselines/ststnet_1xb32-60e_demo.py']
frame_args = dict(ann_file='{data}/annotations.json',
                  data_prefix=dict(img='{data}'), layout='casme2')
pipeline = [
    dict(type='LoadFlow', flow_root='{flow}', channels=('u', 'v', 'strain'),
         size=28, compute=dict(method='dis')),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', meta_keys=_base_.me_meta_keys)
]
train_pipeline = pipeline
test_pipeline = pipeline
train_dataloader = dict(batch_size=4,
                        dataset=dict(pipeline=pipeline, **frame_args))
test_dataloader = dict(batch_size=4,
                       dataset=dict(pipeline=pipeline, **frame_args))
train_cfg = dict(max_epochs=1)
param_scheduler = []
'''


def run(cwd, *args):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, TOOL, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def mtimes(folder):
    return {
        osp.join(d, f): os.stat(osp.join(d, f)).st_mtime_ns
        for d, _, files in os.walk(folder) for f in files
        if f in ('fold_result.json', 'loso_report.json')
    }


def test_two_configs_two_seeds_then_resume(tmp_path, monkeypatch, capsys):
    # loso_tiny.py reads data/synthetic_loso relative to the working dir
    data = tmp_path / 'data' / 'synthetic_loso'
    make_synthetic_dataset(str(data), subjects=('sub01', 'sub02', 'sub03'))
    ststnet = tmp_path / 'ststnet_tiny.py'
    ststnet.write_text(STSTNET_TINY.format(root=ROOT, data=data,
                                           flow=tmp_path / 'flow'))
    methods = tmp_path / 'methods.yaml'
    methods.write_text(yaml.safe_dump(dict(methods=[
        dict(name='TSFmicro tiny', paper='Liu et al.',
             config=osp.join(ROOT, 'tests/data/configs/loso_tiny.py'),
             cfg_options={'train_cfg.max_epochs': 1}),
        dict(config=str(ststnet), paper='Liong et al.'),
    ])))
    out = tmp_path / 'results.md'
    out.write_text('# Results\n\nintro\n\n<!-- benchmark_methods:begin -->\n'
                   'old table\n<!-- benchmark_methods:end -->\n\ntail\n')
    work = tmp_path / 'bench'
    args = [str(methods), '--work-dir', str(work), '--seeds', '0', '1',
            '--out', str(out), '--subjects', 'sub01', '--threads', '1']
    first = run(tmp_path, *args)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    # MMEngine's logger of the runs does not outlive the streams it wrote to
    assert 'Logging error' not in first.stderr, first.stderr[-3000:]

    rows = json.loads((work / 'benchmark.json').read_text())['rows']
    assert [r['name'] for r in rows] == ['TSFmicro tiny', 'ststnet_tiny']
    text = out.read_text()
    assert text.startswith('# Results\n\nintro\n\n<!-- benchmark_methods:')
    assert text.endswith('<!-- benchmark_methods:end -->\n\ntail\n')
    assert 'old table' not in text
    lines = {ln.split(' | ')[0][2:]: ln.split(' | ') for ln in
             text.splitlines() if ln.startswith('| ')}
    for row, folder in zip(rows, ('TSFmicro_tiny', 'ststnet_tiny')):
        cells = lines[row['name']]
        reports = [json.loads((work / folder / f'seed{s}' /
                               'loso_report.json').read_text())
                   for s in (0, 1)]
        assert all(r['num_folds'] == 1 and sorted(r['per_subject']) ==
                   ['sub01'] for r in reports)
        assert [r['seed'] for r in reports] == [0, 1]
        # per-seed UF1 / UAR / accuracy, then mean ± sd, as the reports say
        for i, key in enumerate(('uf1', 'uar', 'acc')):
            values = [r[key] for r in reports]
            assert cells[3 + 2 * i] == ' / '.join(f'{v:.4f}' for v in values)
            assert cells[4 + 2 * i] == results_table.mean_sd(values)
        assert row['complexity']['params'] > 0
        assert row['complexity']['flops'] > 0
        # the exact tools/loso.py command of each run, as its report has it
        assert [run['command'] for run in row['runs']] == [
            r['commands'][0] for r in reports
        ]
        assert cells[-1] == '<br>'.join(
            f"`{r['commands'][0]}`" for r in reports) + ' |'
    tsf, sts = rows
    # the STSTNet of the demo config, 5 classes: 448 + 32 + 2005
    assert sts['complexity']['params'] == 2485
    assert sts['complexity']['input_shape'] == [1, 1, 3, 28, 28]
    assert tsf['complexity']['input_shape'] == [1, 1, 3, 2, 32, 32]
    # only the TSFmicro row reports selection on the test subject
    assert tsf['select_on_test'] and not sts['select_on_test']
    assert all(r['selected_on_test']['optimistic'] for r in tsf['runs'])
    assert lines['TSFmicro tiny'][-2] != '-'
    assert lines['ststnet_tiny'][-2] == '-'
    assert (tmp_path / 'flow' / 'flow_meta.json').is_file()

    before = mtimes(work)
    # the runs again and a mistake: nothing is run, so in this process
    code, second, err = run_script(TOOL, args, monkeypatch, capsys,
                                   cwd=tmp_path)
    assert code == 0, err[-3000:]
    assert second.count('finished earlier, read from') == 4
    assert '[loso]' not in second  # no fold ran
    assert mtimes(work) == before
    assert out.read_text() == text

    # other subjects for the same work dirs: refused in one line, not mixed
    code, _, err = run_script(TOOL, [*args[:-4], '--subjects', 'sub02',
                                     '--threads', '1'], monkeypatch, capsys,
                              cwd=tmp_path)
    assert code == 2
    assert err.strip().splitlines() == [
        f'benchmark_methods.py: error: {work}/TSFmicro_tiny/seed0 holds a '
        'finished run of other settings (its subjects differ): remove it '
        'or choose another --work-dir'
    ]
    assert out.read_text() == text and mtimes(work) == before


def test_list_file_errors(tmp_path):
    bad = tmp_path / 'methods.py'
    bad.write_text("methods = [dict(config='nowhere.py')]\n")
    with pytest.raises(loso_methods.BenchmarkError,
                       match=r'methods.py: methods\[0\]: config file not '
                       'found: nowhere.py'):
        loso_methods.load_methods([str(bad)])
    cfg = osp.join(ROOT, 'tests/data/configs/loso_tiny.py')
    twice = tmp_path / 'twice.yaml'
    twice.write_text(yaml.safe_dump(dict(methods=[cfg, cfg])))
    with pytest.raises(loso_methods.BenchmarkError, match='would share a work dir'):
        loso_methods.load_methods([str(twice)])
    odd = tmp_path / 'odd.yaml'
    odd.write_text(yaml.safe_dump(dict(methods=[dict(config=cfg, lr=1)])))
    with pytest.raises(loso_methods.BenchmarkError, match=r"unknown key\(s\) "
                       r"\['lr'\]"):
        loso_methods.load_methods([str(odd)])
    assert [m.config for m in loso_methods.load_methods([cfg])] == [cfg]
    # a list file that does not parse is named
    broken = tmp_path / 'broken.py'
    broken.write_text("methods = [\n    'a.py',\n")
    with pytest.raises(loso_methods.BenchmarkError) as err:
        loso_methods.load_methods([str(broken)])
    assert str(err.value) == (f"{broken}: cannot be read ('[' was never "
                              'closed (<unknown>, line 1))')
    broken = tmp_path / 'broken.yaml'
    broken.write_text('methods: [a.py\n')
    with pytest.raises(loso_methods.BenchmarkError,
                       match=f'^{broken}: cannot be read \\(while parsing'):
        loso_methods.load_methods([str(broken)])


def test_out_file_needs_its_markers(tmp_path):
    out = tmp_path / 'notes.md'
    out.write_text('my notes\n')
    with pytest.raises(loso_methods.BenchmarkError, match='does not hold the '
                       'markers'):
        results_table.write_out(str(out), 'table\n')
    assert out.read_text() == 'my notes\n'
    fresh = tmp_path / 'new.md'
    results_table.write_out(str(fresh), 'table\n')
    assert fresh.read_text() == f'{results_table.BEGIN}\ntable\n{results_table.END}\n'


def test_mean_and_spread():
    assert results_table.mean_sd([0.5]) == '0.5000'
    assert results_table.mean_sd([0.5, 0.7]) == '0.6000 ± 0.1414'
    assert results_table.mean_sd([]) == '-'


def test_demo_list_names_the_shipped_configs(monkeypatch):
    monkeypatch.chdir(ROOT)
    methods = loso_methods.load_methods(
        [osp.join(ROOT, 'configs/baselines/demo_methods.py')])
    assert len(methods) == 15
    assert all(osp.isfile(m.config) for m in methods)
    # TSFmicro rows (late, estimated apex, early, S to T, T to S, flow)
    # also report selection on the test subject; TSFmicroSeq and the
    # baselines do not.
    assert sum(loso_methods.selects_on_test(m) for m in methods) == 6
    casme2 = loso_methods.load_methods(
        [osp.join(ROOT, 'configs/baselines/casme2_methods.py')])
    assert len(casme2) == 15 and all(osp.isfile(m.config) for m in casme2)
    assert sum(loso_methods.selects_on_test(m) for m in casme2) == 7
