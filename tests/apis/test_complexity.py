"""Parameters and FLOPs of configs' models (tools/analysis_tools/get_flops.py)."""
import os

from mmaction_tsfmicro.apis.complexity import input_shape, model_complexity
from mmaction_tsfmicro.engine.runner_args import load_config
from mmaction_tsfmicro.utils.modules import load_script


def test_tiny_model_counts(repo_root):
    info = model_complexity(
        os.path.join(repo_root, 'configs', 'tsfmicro_demo.py'))
    assert info['input_shape'] == [1, 1, 3, 2, 112, 112]
    assert info['params'] == 142693
    # Each branch sees one 112 x 112 image; the count is independent of
    # the machine, so it is compared exactly.
    assert info['flops'] == 18030144


def test_input_size_follows_the_test_pipeline(repo_root):
    cfg = load_config(os.path.join(repo_root, 'configs', 'tsfmicro_demo.py'))
    assert input_shape(cfg) == (1, 3, 2, 112, 112)
    cfg.test_pipeline = [dict(type='Resize', scale=(64, 64))]
    assert input_shape(cfg) == (1, 3, 2, 64, 64)
    cfg.test_pipeline = []
    assert input_shape(cfg) == (1, 3, 2, 224, 224)


def test_get_flops_tool_prints_one_row_per_config(repo_root, capsys):
    tool = load_script(os.path.join(repo_root, 'tools', 'analysis_tools',
                                    'get_flops.py'))
    config = os.path.join(repo_root, 'configs', 'tsfmicro_demo.py')
    assert tool.main([config]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].split()[1:4] == [
        '142,693', '18,030,144', '1x1x3x2x112x112'
    ]
