"""Each upstream fix: the defect is real without it, and gone with it."""
import importlib.util
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from mmaction_tsfmicro.utils import compat


def run_python(code: str, env: dict = None) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (no plugin unless it imports)."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    return subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        env=full_env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_import_applies_the_fixes_whose_defect_is_present():
    import torch
    expected = ['pkg_resources_warning']
    if compat.drn_is_missing():
        expected.append('drn')
    if importlib.util.find_spec('mmcv._ext') is None:
        expected.append('mmcv_lite_warning')
    if compat.torch_loads_weights_only():
        expected.append('weights_only')
    expected += ['cpu_dist', 'low_precision_scores']
    assert compat.APPLIED == expected
    # a second call applies nothing
    assert compat.apply_upstream_fixes() == []
    assert torch.cuda.is_available() or 'cpu_dist' in compat.APPLIED


def test_mmaction2_heads_take_bfloat16_scores():
    """Under CPU autocast an MMAction2 head's scores are bfloat16; its
    loss and predictions (numpy inside) get them in float32."""
    import torch
    from mmaction.registry import MODELS
    from mmaction.structures import ActionDataSample
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    head = MODELS.build(dict(type='TSNHead', num_classes=3, in_channels=8,
                             average_clips='prob'))
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    scores = torch.randn(4, 3).to(torch.bfloat16)
    losses = head.loss_by_feat(scores, samples)
    assert losses['loss_cls'].dtype == torch.float32
    assert 'top1_acc' in losses
    preds = head.predict_by_feat(scores, samples)
    assert preds[0].pred_score.dtype == torch.float32
    torch.testing.assert_close(preds[0].pred_score,
                               scores[0].float().softmax(0))


def test_a_config_inheriting_mmaction_prints_nothing(repo_root):
    """The runtime base inherits mmaction::; MMEngine then imports
    pkg_resources, whose deprecation warning is not shown."""
    import os
    config = os.path.join(repo_root, 'configs', 'tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py')
    proc = run_python(f"""
        from mmaction_tsfmicro.engine.runner_args import load_config
        cfg = load_config({config!r})
        print(cfg.default_hooks.checkpoint.get('save_best'),
              cfg.default_hooks.timer.type)
        """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''
    # MMAction2's runtime, without its choice of a best epoch
    assert proc.stdout.split() == ['None', 'IterTimerHook']


@pytest.mark.skipif(
    not compat.drn_is_missing(), reason='this mmaction2 ships the DRN folder')
def test_drn_defect_and_fix():
    broken = run_python('import mmaction.models')
    assert broken.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in broken.stderr

    fixed = run_python("""
        import mmaction_tsfmicro.plugin
        import mmaction.models
        from mmaction.registry import MODELS
        try:
            MODELS.build(dict(type='DRN'))
        except ImportError as e:
            print('ERR', e)
        """)
    assert fixed.returncode == 0, fixed.stderr
    assert 'ERR DRN is not part of the installed mmaction2' in fixed.stdout


def test_drn_fix_is_not_applied_when_the_folder_exists(monkeypatch, tmp_path):
    (tmp_path / 'models' / 'localizers' / 'drn').mkdir(parents=True)
    monkeypatch.setattr(compat, '_mmaction_root', lambda: str(tmp_path))
    monkeypatch.delitem(
        sys.modules, 'mmaction.models.localizers.drn', raising=False)
    assert not compat.drn_is_missing()
    assert compat._fix_missing_drn() is False
    assert 'mmaction.models.localizers.drn' not in sys.modules


WEIGHTS_ONLY_CODE = """
    {prelude}
    import torch.nn as nn
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    hub = MessageHub.get_instance('t')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('iter', 3)
    model = nn.Linear(2, 2)
    ckpt = dict(state_dict=model.state_dict(),
                message_hub=hub.state_dict(),
                meta=dict(epoch=1, seed=0))
    save_checkpoint(ckpt, {path!r})
    import torch
    loaded = torch.load({path!r}, map_location='cpu')
    print('LOADED', loaded['meta']['epoch'],
          type(loaded['message_hub']['log_scalars']['train/loss']).__name__)
"""


@pytest.mark.skipif(
    not compat.torch_loads_weights_only(),
    reason='this torch does not load with weights_only')
def test_weights_only_defect_and_fix(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    broken = run_python(WEIGHTS_ONLY_CODE.format(prelude='', path=path))
    assert broken.returncode != 0
    assert 'Weights only load failed' in broken.stderr

    fixed = run_python(
        WEIGHTS_ONLY_CODE.format(
            prelude='import mmaction_tsfmicro.plugin', path=path))
    assert fixed.returncode == 0, fixed.stderr
    assert 'LOADED 1 HistoryBuffer' in fixed.stdout


CPU_DIST_CODE = """
    {prelude}
    import os
    import torch
    import torch.nn as nn
    from mmengine.dist import init_dist, get_world_size, get_backend
    from mmengine.model import MMDistributedDataParallel
    os.environ.update(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                      MASTER_ADDR='127.0.0.1', MASTER_PORT='{port}')
    init_dist('pytorch', backend='nccl')
    wrapped = MMDistributedDataParallel(module=nn.Linear(2, 2),
                                        device_ids=[0])
    print('OK', get_backend(), get_world_size(), wrapped.device_ids)
"""


@pytest.mark.skipif(
    __import__('torch').cuda.is_available(), reason='needs a CPU-only host')
def test_cpu_distributed_defect_and_fix():
    broken = run_python(CPU_DIST_CODE.format(prelude='', port=free_port()))
    assert broken.returncode != 0
    assert '_cuda_setDevice' in broken.stderr or 'CUDA' in broken.stderr

    fixed = run_python(
        CPU_DIST_CODE.format(
            prelude='import mmaction_tsfmicro.plugin', port=free_port()))
    assert fixed.returncode == 0, fixed.stderr
    assert 'OK gloo 1 None' in fixed.stdout


def test_mmcv_lite_warning_is_silenced():
    code = """
        import warnings
        warnings.simplefilter('default')
        {prelude}
        import mmcv.cnn.bricks.transformer
        """
    import importlib.util as iu
    if iu.find_spec('mmcv._ext') is not None:
        pytest.skip('the full mmcv is installed: no warning to silence')
    plain = run_python(code.format(prelude=''))
    assert 'MultiScaleDeformableAttention' in plain.stderr
    quiet = run_python(code.format(prelude='import mmaction_tsfmicro.plugin'))
    assert quiet.returncode == 0, quiet.stderr
    assert 'MultiScaleDeformableAttention' not in quiet.stderr
