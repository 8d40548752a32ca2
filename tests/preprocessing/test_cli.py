"""The arguments, errors and run ending that the preprocessing tools
share."""
import argparse
import json
import os
import os.path as osp
import sys

import pytest

from mmaction_tsfmicro.preprocessing.cli import (INPUT_ERRORS, add_input_args,
                                                 add_run_args, finish_run,
                                                 input_error, read_records)
from mmaction_tsfmicro.preprocessing.clip_spec import ClipResult
from .conftest import record, write_ann


def parser():
    p = argparse.ArgumentParser()
    add_input_args(p, dataset_help='the dataset', src_help='in',
                   dst_help='out', layout_help='layout of --src')
    add_run_args(p, 'run_report.json')
    return p


def test_arguments():
    p = parser()
    args = p.parse_args(['--dataset', 'samm', '--ann', 'a.json', '--src',
                         'r', '--dst', 'o'])
    assert vars(args) == dict(dataset='samm', ann='a.json', src='r', dst='o',
                              layout=None, report=None, no_progress=False)
    assert [a.dest for a in p._actions[1:]] == [
        'dataset', 'ann', 'src', 'dst', 'layout', 'report', 'no_progress'
    ]
    assert 'defaults to DST/run_report.json' in p.format_help()
    with pytest.raises(SystemExit):
        p.parse_args(['--dataset', 'samm'])  # --ann, --src, --dst required


def test_read_records(tmp_path):
    ann = write_ann(str(tmp_path / 'ann.json'), [
        record('casme2', 'sub01', 'EP01', 1, 2, 3),
        record('samm', '006', '006_1', 1, 2, 3)
    ], 'casme2')
    args = parser().parse_args(['--dataset', 'samm', '--ann', ann, '--src',
                                'r', '--dst', 'o'])
    layout, records = read_records(args)
    assert layout == 'samm' and [r['clip'] for r in records] == ['006_1']
    args.layout = 'casme2'
    assert read_records(args)[0] == 'casme2'
    args.layout = 'smic'
    with pytest.raises(KeyError, match="unknown frame layout 'smic'"):
        read_records(args)


def test_input_error(capsys):
    assert KeyError in INPUT_ERRORS and FileNotFoundError in INPUT_ERRORS
    # a KeyError's message without the quotes str() adds
    assert input_error(KeyError("unknown 'x'")) == 2
    assert input_error(ValueError('bad file')) == 2
    prog = os.path.basename(sys.argv[0])
    assert capsys.readouterr().err.splitlines() == [
        f"{prog}: error: unknown 'x'", f'{prog}: error: bad file'
    ]


def test_finish_run(tmp_path, capsys):
    args = argparse.Namespace(dataset='casme2', ann='a.json', src='raw',
                              dst=str(tmp_path / 'out'), report=None)
    results = [ClipResult('s/c', 'done', num_frames=2),
               ClipResult('s/d', 'failed', 'no face')]
    code = finish_run(args, results, 1.234, 'report.json',
                      settings=dict(method='dis'), noun='samples')
    assert code == 1
    report = osp.join(args.dst, 'report.json')
    assert capsys.readouterr().out.splitlines() == [
        'samples: 2, done: 1, skipped (already done): 0, failed: 1',
        'FAILED s/d: no face', f'report: {report} (1.2 s)'
    ]
    data = json.load(open(report))
    assert list(data) == ['dataset', 'ann', 'src', 'dst', 'method',
                          'seconds', 'runs', 'counts', 'clips']
    assert data['runs'] == [dict(dataset=data['dataset'], ann=data['ann'],
                                 src=data['src'], seconds=1.23,
                                 counts=data['counts'])]
    assert (data['ann'], data['seconds']) == (osp.abspath('a.json'), 1.23)
    args.report = str(tmp_path / 'elsewhere.json')
    assert finish_run(args, results[:1], 0.0, 'report.json', {}) == 0
    assert capsys.readouterr().out.startswith('clips: 1, done: 1')
    assert json.load(open(args.report))['counts']['done'] == 1
