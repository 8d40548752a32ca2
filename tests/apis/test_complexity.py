"""Parameters and FLOPs of configs' models (tools/analysis_tools/get_flops.py)."""
import os

from mmaction_tsfmicro.apis.complexity import input_shape, model_complexity
from mmaction_tsfmicro.engine.runner_args import load_config
from mmaction_tsfmicro.utils.modules import load_script


def test_tiny_model_counts(repo_root):
    info = model_complexity(
        os.path.join(repo_root, 'configs', 'tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py'))
    assert info['input_shape'] == [1, 1, 3, 2, 112, 112]
    assert info['params'] == 142693
    # Each branch sees one 112 x 112 image; the count is independent of
    # the machine, so it is compared exactly.
    assert info['flops'] == 18030144


def test_input_size_follows_the_test_pipeline(repo_root):
    cfg = load_config(os.path.join(repo_root, 'configs', 'tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py'))
    assert input_shape(cfg) == (1, 3, 2, 112, 112)
    cfg.test_pipeline = [dict(type='Resize', scale=(64, 64))]
    assert input_shape(cfg) == (1, 3, 2, 64, 64)
    cfg.test_pipeline = []
    assert input_shape(cfg) == (1, 3, 2, 224, 224)


def test_get_flops_tool_prints_one_row_per_config(repo_root, capsys):
    tool = load_script(os.path.join(repo_root, 'tools', 'analysis_tools',
                                    'get_flops.py'))
    config = os.path.join(repo_root, 'configs', 'tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py')
    assert tool.main([config]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].split()[1:4] == [
        '142,693', '18,030,144', '1x1x3x2x112x112'
    ]


def test_mmaction2_s_get_flops_counts_all_but_the_head(repo_root):
    """One convention, stated: the project counts the whole model;
    MMAction2's own get_flops.py (run here on the released model's config)
    counts extract_feat, so it gives less by exactly the head's count."""
    import re
    import subprocess
    import sys

    import mmaction
    import torch
    from mmaction.registry import MODELS
    from mmengine.analysis import FlopAnalyzer
    from mmengine.registry import init_default_scope

    config = os.path.join(repo_root, 'configs', 'tsfmicro',
                          'tsfmicro_retnet-tiny_1xb32-30e_demo-all-subjects.py')
    tool = os.path.join(os.path.dirname(mmaction.__file__), '.mim', 'tools',
                        'analysis_tools', 'get_flops.py')
    proc = subprocess.run(
        [sys.executable, tool, config, '--shape', '1', '3', '2', '112',
         '112'], capture_output=True, text=True, timeout=300, cwd=repo_root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = float(re.search(r'Flops: ([0-9.]+)M', proc.stdout).group(1))
    ours = model_complexity(config)['flops']
    assert ours == 18030144  # the model zoo's figure
    init_default_scope('mmaction')
    model = MODELS.build(load_config(config).model).eval()
    with torch.no_grad():
        feat = model.extract_feat(torch.randn(1, 1, 3, 2, 112, 112))[0]
    head = FlopAnalyzer(model.cls_head, (feat, ))
    head.unsupported_ops_warnings(False)
    assert abs((ours - head.total()) / 1e6 - theirs) < 0.0005
