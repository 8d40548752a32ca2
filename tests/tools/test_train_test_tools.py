"""tools/train.py, tools/test.py and tools/dist_train.sh as users run them."""
import os
import os.path as osp
import pickle
import re
import socket
import subprocess
import sys

import pytest
import torch
from conftest import REPO_ROOT

TINY = osp.join('tests', 'data', 'configs', 'tiny_synthetic.py')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def data_options(data):
    return [
        f"train_dataloader.dataset.ann_file={data['ann_file']}",
        f"train_dataloader.dataset.data_prefix.img={data['root']}",
        f"test_dataloader.dataset.ann_file={data['ann_file']}",
        f"test_dataloader.dataset.data_prefix.img={data['root']}",
    ]


def run(cmd, **kwargs):
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True,
                          env=env, timeout=600, **kwargs)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_train_resume_and_test_tools(synthetic_data, tmp_path):
    work = tmp_path / 'work'
    py = sys.executable
    run([py, 'tools/train.py', TINY, '--work-dir', str(work), '--seed', '1',
         '--cfg-options', *data_options(synthetic_data)])
    assert (work / 'epoch_2.pth').is_file()
    assert not (work / 'epoch_3.pth').exists()

    run([py, 'tools/train.py', TINY, '--work-dir', str(work), '--resume',
         '--cfg-options', 'train_cfg.max_epochs=3',
         *data_options(synthetic_data)])
    assert (work / 'epoch_3.pth').is_file()
    log = sorted(work.glob('*/*.log'))[-1].read_text()
    assert re.search(r'resumed epoch: 2', log), log[-2000:]
    ckpt = torch.load(str(work / 'epoch_3.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 3

    dump = tmp_path / 'preds.pkl'
    out = run([py, 'tools/test.py', TINY, str(work / 'epoch_3.pth'),
               '--work-dir', str(tmp_path / 'test'), '--dump', str(dump),
               '--cfg-options', *data_options(synthetic_data)])
    assert re.search(r'acc/top1: \d\.\d+', out.stdout + out.stderr)
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 5  # sub01 holds one clip per class
    assert {p['subject'] for p in preds} == {'sub01'}
    assert preds[0]['pred_score'].shape == (5, )


def test_test_tool_rejects_a_bad_dump_name(synthetic_data, tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', TINY, 'x.pth', '--dump', 'p.json',
         '--cfg-options', *data_options(synthetic_data)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert proc.stderr.strip() == ('test.py: error: --dump p.json: the dump '
                                   'file must end with .pkl or .pickle')


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only check')
def test_dist_train_two_processes_on_cpu(synthetic_data, tmp_path):
    work = tmp_path / 'dist'
    env_port = str(free_port())
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1',
               PORT=env_port)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', TINY, '2', '--work-dir', str(work),
         '--cfg-options', *data_options(synthetic_data)],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = sorted(work.glob('*/*.log'))[-1].read_text()
    output = proc.stdout + proc.stderr
    # the ranks end their process group before they exit (an abort in
    # gloo's destructors would show this line even when torchrun passes)
    assert 'terminate called' not in output
    assert output.count('the process group uses gloo instead of nccl') == 2
    assert 'Distributed training: True' in log
    # 10 training clips, batch 4 per rank over 2 ranks: 2 iterations/epoch
    # (one process alone would need 3)
    assert re.search(r'Epoch\(train\)\s+\[2\]\[2/2\]', log), log[-3000:]
    assert (work / 'epoch_2.pth').is_file()
    # and the two-process test of that checkpoint, with its dump
    dump = tmp_path / 'preds.pkl'
    env['PORT'] = str(free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_test.sh', TINY, str(work / 'epoch_2.pth'), '2',
         '--work-dir', str(work), '--dump', str(dump), '--cfg-options',
         *data_options(synthetic_data)],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'terminate called' not in proc.stdout + proc.stderr
    assert dump.is_file() and dump.stat().st_size > 0


def test_amp_chooses_by_the_hardware(monkeypatch):
    """--amp: float16 with MMEngine's AmpOptimWrapper on a GPU, bfloat16
    with AutocastOptimWrapper (and a bfloat16 test loop) on a CPU with
    bfloat16 units, a one-line refusal on other CPUs."""
    import mmengine.device

    from mmaction_tsfmicro.engine import optim_wrappers
    from mmaction_tsfmicro.engine.runner_args import (load_config,
                                                      set_mixed_precision)
    for name in ('is_cuda_available', 'is_npu_available',
                 'is_mlu_available'):
        monkeypatch.setattr(mmengine.device, name, lambda: False)
    monkeypatch.setattr(optim_wrappers, 'cpu_has_bf16', lambda: True)
    cfg = load_config(TINY)
    set_mixed_precision(cfg, TINY)
    assert cfg.optim_wrapper.type == 'AutocastOptimWrapper'
    assert cfg.test_cfg.fp16 is True
    monkeypatch.setattr(optim_wrappers, 'cpu_has_bf16', lambda: False)
    with pytest.raises(ValueError, match=r'--amp needs a GPU, or a CPU with '
                       r'bfloat16 units \(AVX512-BF16 or AMX\); this CPU has '
                       'neither: drop --amp'):
        set_mixed_precision(load_config(TINY), TINY)
    monkeypatch.setattr(mmengine.device, 'is_cuda_available', lambda: True)
    cfg = load_config(TINY)
    set_mixed_precision(cfg, TINY)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    cfg.optim_wrapper.type = 'ApexOptimWrapper'
    with pytest.raises(ValueError, match="does not support the optimizer "
                       "wrapper 'ApexOptimWrapper'"):
        set_mixed_precision(cfg, TINY)


def test_bfloat16_on_the_cpu_trains_and_tests(synthetic_data, tmp_path):
    """The config-level choice, on any CPU (bfloat16 is emulated where
    the CPU has no units for it): one epoch trains, its weights stay
    float32, and the test loop runs in bfloat16."""
    work = tmp_path / 'w'
    options = [*data_options(synthetic_data),
               'optim_wrapper.type=AutocastOptimWrapper', 'test_cfg.fp16=True']
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', TINY, '--work-dir', str(work),
         '--cfg-options', *options],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = max(work.glob('epoch_*.pth'), key=lambda p: int(p.stem[6:]))
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    assert all(v.dtype in (torch.float32, torch.int64)
               for v in state['state_dict'].values())
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', TINY, str(ckpt), '--work-dir',
         str(work), '--cfg-options', *options],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Epoch(test) [2/2]    acc/top1: ' in proc.stdout
