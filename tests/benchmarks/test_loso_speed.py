"""tools/analysis_tools/benchmark_loso.py (benchmarks/loso_speed.py): the
settings it times, side by side."""
import os.path as osp

import pytest

from mmaction_tsfmicro.benchmarks import loso_speed
from mmaction_tsfmicro.utils.modules import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
cli = load_script(
    osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_loso.py'))


def checkout(tmp_path, name, knows_cache):
    """A stand-in checkout whose tools/loso.py --help says whether it
    takes --frame-cache."""
    tools = tmp_path / name / 'tools'
    tools.mkdir(parents=True)
    flag = ' --frame-cache {auto,off}' if knows_cache else ''
    (tools / 'loso.py').write_text(f'print("usage: loso.py{flag}")\n')
    return str(tmp_path / name)


def test_every_jobs_with_every_cache_then_the_other_checkout(tmp_path):
    old = checkout(tmp_path, 'old', knows_cache=False)
    args = cli.parse_args(['cfg.py', '--subjects', 'a,b', '--jobs', '1',
                             '2', '--frame-cache', 'auto', 'off',
                             '--checkout', old])
    rows = loso_speed.settings(args)
    assert [(r['repo'], r['jobs'], r['frame_cache']) for r in rows] == [
        (loso_speed.REPO, 1, 'auto'), (loso_speed.REPO, 2, 'auto'),
        (loso_speed.REPO, 1, 'off'), (loso_speed.REPO, 2, 'off'),
        (old, 1, None), (old, 2, None)
    ]
    assert rows[-1]['label'] == f'{old}, --jobs 2'


def test_a_checkout_that_knows_the_cache_runs_the_same_settings(tmp_path):
    new = checkout(tmp_path, 'new', knows_cache=True)
    args = cli.parse_args(['cfg.py', '--subjects', 'a', '--jobs', '2',
                             '--checkout', new])
    rows = loso_speed.settings(args)
    assert [(r['repo'], r['frame_cache']) for r in rows] == [
        (loso_speed.REPO, 'auto'), (new, 'auto')
    ]
    assert rows[-1]['label'] == f'{new}, --jobs 2, --frame-cache auto'
    args = cli.parse_args(['cfg.py', '--subjects', 'a', '--jobs', '1',
                             '--frame-cache', 'auto', 'off', '--checkout',
                             new])
    assert [(r['repo'], r['frame_cache']) for r in loso_speed.settings(args)] == [
        (loso_speed.REPO, 'auto'), (loso_speed.REPO, 'off'), (new, 'auto'),
        (new, 'off')
    ]


def test_a_folder_without_tools_loso_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(['cfg.py', '--subjects', 'a', '--checkout',
                          str(tmp_path)])
    assert exc.value.code == 2
    assert f'--checkout {tmp_path}: no tools/loso.py there' in \
        capsys.readouterr().err
