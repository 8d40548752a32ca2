"""``tsfmicro TOOL`` / ``python -m mmaction_tsfmicro TOOL``: the tools by
name (end to end from a wheel in tests/test_packaging.py)."""
import os.path as osp
import sys

import pytest

from mmaction_tsfmicro import cli


def test_every_tool_is_found_by_name(repo_root):
    tools = cli.tools()
    for name in ('train', 'test', 'loso', 'infer', 'stream',
                 'preprocess_faces', 'build_spotting_annotation'):
        assert name in tools, name
    assert tools['loso'] == osp.join(cli.mim_root(), 'tools', 'loso.py')


def test_list_and_mistakes(capsys):
    with pytest.raises(SystemExit) as err:
        cli.main(['list'])
    assert err.value.code == 0
    assert 'loso' in capsys.readouterr().out
    with pytest.raises(SystemExit) as err:
        cli.main([])
    assert err.value.code == 2
    with pytest.raises(SystemExit) as err:
        cli.main(['los'])
    assert err.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "tsfmicro: error: no tool 'los'; the tools: ")


def test_a_tool_runs_with_its_arguments(capsys, tmp_path, monkeypatch):
    # a config path relative to the package's configs is found there
    monkeypatch.setattr(sys, 'argv', list(sys.argv))  # the tool sets it
    monkeypatch.chdir(tmp_path)
    cli.main(['get_flops', 'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py'])  # returns: exit 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[1] == '142,693'
