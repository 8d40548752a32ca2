"""One-line errors of the tools."""
import subprocess
import sys

import pytest

from mmaction_tsfmicro.utils.cli import ArgumentParser, one_line

WORKER_ERROR = '''Caught FileNotFoundError in DataLoader worker process 0.
Original Traceback (most recent call last):
  File "/x/torch/utils/data/_utils/worker.py", line 349, in _worker_loop
    data = fetcher.fetch(index)
FileNotFoundError: /d/sub01/EP02/img3.jpg: frame 3 of sample sub01/EP02 not \
found
'''


@pytest.mark.parametrize('exc,expected', [
    (KeyError('no such key'), 'no such key'),
    (ValueError('a\n  b   c'), 'a b c'),
    (FileNotFoundError(WORKER_ERROR),
     '/d/sub01/EP02/img3.jpg: frame 3 of sample sub01/EP02 not found'),
    (KeyError("Caught KeyError in DataLoader worker process 1.\nOriginal "
              "Traceback (most recent call last):\nKeyError: 'imgs'"),
     'imgs'),
    (KeyError('TSFmicr is not in the mmaction::model registry. Please check '
              'whether the value of `TSFmicr` is correct or it was '
              'registered as expected. More details can be found at '
              'https://x'),
     'TSFmicr is not in the mmaction::model registry.'),
    (RuntimeError(), 'RuntimeError'),
])
def test_one_line(exc, expected):
    assert one_line(exc) == expected


def test_an_error_of_a_nested_build_is_the_constructor_s():
    from mmaction.registry import MODELS

    from mmaction_tsfmicro.plugin import register_all_modules
    register_all_modules()
    with pytest.raises(TypeError) as err:
        MODELS.build(dict(type='Recognizer3D',
                          backbone=dict(type='TSFmicro', archh='tiny'),
                          cls_head=dict(type='TSFmicroHead', num_classes=3,
                                        in_channels=8)))
    assert one_line(err.value) == (
        "TSFmicro.__init__() got an unexpected keyword argument 'archh'")


def test_argument_errors_are_one_line(capsys):
    parser = ArgumentParser(prog='tool.py')
    parser.add_argument('--n', type=int)
    with pytest.raises(SystemExit) as err:
        parser.parse_args(['--n', 'x'])
    assert err.value.code == 2
    assert capsys.readouterr().err == (
        "tool.py: error: argument --n: invalid int value: 'x' (see tool.py "
        '--help)\n')


@pytest.mark.parametrize('debug,code', [('', 2), ('1', 1)])
def test_run_main_hides_the_traceback_unless_asked(debug, code):
    script = ('from mmaction_tsfmicro.utils.cli import run_main\n'
              'def main():\n    raise ValueError("bad.json: row 3 is bad")\n'
              'run_main(main, "tool.py")\n')
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True,
                          text=True, env={'TSFMICRO_DEBUG': debug,
                                          'PATH': '/usr/bin:/bin'})
    assert proc.returncode == code
    if code == 2:
        assert proc.stderr == 'tool.py: error: bad.json: row 3 is bad\n'
    else:
        assert 'Traceback (most recent call last)' in proc.stderr
