"""The plugin timed against the official TSFmicro code, side by side
(``tools/analysis_tools/benchmark.py``).

Methods (:class:`PluginMethod`, :class:`OfficialMethod`) time a training
step and inference on the same inputs, alternating, so that both see the
same machine; the official model runs in its own virtual environment,
served over a pipe by ``tools/official/benchmark_official.py``, with the
plugin's weights converted (:mod:`~mmaction_tsfmicro.models.
official_checkpoint`). :func:`bench_arch` measures one backbone preset.
"""
import contextlib
import json
import os
import os.path as osp
import shutil
import subprocess
import time
from typing import Dict, Optional, Tuple

import torch

from ..utils.memory import PeakRSS
from .model import REPO, build_model
from .model import config_for as preset_config

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py')  # --memory-probe
OFFICIAL_WORKER = osp.join(REPO, 'tools', 'official',
                           'benchmark_official.py')
PLUGIN, PLAIN, OFFICIAL = 'plugin', 'plugin, plain ops', 'official'
#: The official model in a process with the plugin's allocator settings.
OFFICIAL_TUNED = "official, plugin's allocator"
OFFICIALS = (OFFICIAL, OFFICIAL_TUNED)
# CASME II under LOSO as the paper trains it: 26 folds (subjects), 174
# epochs a fold (the official schedule), about 240 training pairs a fold.
CASME2_LOSO = dict(folds=26, epochs=174, samples=240)


class BenchmarkError(RuntimeError):
    """A benchmark that cannot run as asked (one line, for the user)."""


def config_for(arch: str) -> str:
    """The model config of a backbone preset (:func:`.model.config_for`:
    the preset's own ``configs/_base_/models/tsfmicro_<arch>.py`` if there
    is one, else the paper config with ``backbone.arch`` set)."""
    return preset_config(arch, None)


def build_plugin(arch: str, num_classes: int):
    """The plugin's recognizer of a preset and its input size."""
    model, size = build_model(config_for(arch), arch, num_classes, None)
    return model, tuple(size)


def complexity(model: torch.nn.Module, size: Tuple[int, int]) -> int:
    """MMEngine's FLOPs (multiply-adds) of one sample, backbone to head."""
    from ..apis.complexity import recognizer_flops
    return recognizer_flops(model, (1, 1, 3, 2, *size))


def logits_of(model: torch.nn.Module, onset: torch.Tensor,
              apex: torch.Tensor) -> torch.Tensor:
    """The recognizer's logits for normalized (N, 3, H, W) pairs."""
    inputs = torch.stack([onset, apex], dim=2).unsqueeze(1)
    return model._forward(inputs, stage='head')


class Method:
    """One timed implementation: ``run(op, batch)`` runs ``train`` or
    ``forward`` once: ``(seconds, peak_mb)``, the peak (a sampling thread
    on the CPU) only with ``memory=True``, else None."""

    name: str

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PluginMethod(Method):
    """The plugin's model, fast or plain ops, on ``device``."""

    def __init__(self, name: str, model: torch.nn.Module,
                 onset: torch.Tensor, apex: torch.Tensor, device: str,
                 amp: bool, plain: bool) -> None:
        from mmaction.structures import ActionDataSample
        self.name = name
        self.model = model
        self.device = device
        self.amp = amp
        self.plain = plain
        self.inputs = torch.stack([onset, apex], dim=2).unsqueeze(1).to(
            device)
        n = len(onset)
        classes = model.cls_head.num_classes
        self.samples = [ActionDataSample().set_gt_label(i % classes)
                        for i in range(n)]
        for s in self.samples:
            s.gt_label = s.gt_label.to(device)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=8e-4,
                                           weight_decay=0.6)
        # AMP: float16 with a loss scaler on CUDA; bfloat16 on the CPU (no
        # scaler: bfloat16 has float32's exponent range)
        self.amp_dtype = torch.float16 if device == 'cuda' else torch.bfloat16
        self.scaler = torch.amp.GradScaler('cuda') \
            if amp and device == 'cuda' else None

    def _context(self):
        from mmaction_tsfmicro.models.backbones.fast_paths import plain_path
        stack = contextlib.ExitStack()
        if self.plain:
            stack.enter_context(plain_path())
        if self.amp:
            stack.enter_context(
                torch.autocast(self.device, dtype=self.amp_dtype))
        return stack

    def _train(self, batch: int) -> None:
        self.model.train()
        with self._context():
            losses = self.model(self.inputs[:batch], self.samples[:batch],
                                mode='loss')
            loss, _ = self.model.parse_losses(losses)
        self.optimizer.zero_grad()
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()

    def _forward(self, batch: int) -> None:
        self.model.eval()
        with torch.no_grad(), self._context():
            self.model._forward(self.inputs[:batch], stage='head')

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
        fn = self._train if op == 'train' else self._forward
        if self.device == 'cuda':
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            start = time.perf_counter()
            fn(batch)
            torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            return seconds, (torch.cuda.max_memory_allocated() - base) / 2**20
        sampler = PeakRSS() if memory else contextlib.nullcontext()
        with sampler:
            start = time.perf_counter()
            fn(batch)
            seconds = time.perf_counter() - start
        return seconds, sampler.mb if memory else None


class OfficialMethod(Method):
    """The official model in its own environment, over a pipe."""

    def __init__(self, python: str, repo: str, threads: int,
                 num_classes: int, tmp: str, name: str = OFFICIAL,
                 device: str = 'cpu') -> None:
        if not osp.isfile(osp.join(repo, 'classes', 'model', 'ts_micro.py')):
            raise BenchmarkError(
                f'--official {repo}: no classes/model/ts_micro.py; give a '
                'checkout of the official TSFmicro repository')
        if shutil.which(python) is None and not osp.isfile(python):
            raise BenchmarkError(
                f'--official-python {python}: not found; give the python '
                "of the official code's environment (torch, torchvision, "
                'timm)')
        from mmaction_tsfmicro.utils.allocator import MALLOC_ENV
        self.name = name
        self.tmp = tmp
        self.state_path = osp.join(
            tmp, f'official_state_dict_{OFFICIALS.index(name)}.pth')
        # glibc's defaults, as the official scripts run, or the settings
        # the plugin's training processes run with
        env = {k: v for k, v in os.environ.items() if k not in MALLOC_ENV}
        if name == OFFICIAL_TUNED:
            env.update(MALLOC_ENV)
        self.proc = subprocess.Popen(
            [python, OFFICIAL_WORKER, '--official-repo', repo, '--state-out',
             self.state_path, '--threads', str(threads), '--num-classes',
             str(num_classes), '--device', device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            bufsize=1, env=env)
        self.info = self._read()

    def _read(self) -> Dict:
        for line in self.proc.stdout:
            if line.startswith('@@ '):
                reply = json.loads(line[3:])
                if 'error' in reply:
                    raise BenchmarkError(f'official worker: {reply["error"]}')
                return reply
        raise BenchmarkError(
            'the official worker stopped (exit code '
            f'{self.proc.wait()}); run tools/official/benchmark_official.py '
            'by hand with the same --official-repo to see why')

    def ask(self, **request) -> Dict:
        self.proc.stdin.write(json.dumps(request) + '\n')
        self.proc.stdin.flush()
        return self._read()

    def run(self, op: str, batch: int,
            memory: bool = False) -> Tuple[float, Optional[float]]:
        reply = self.ask(op=op, batch=batch, memory=memory)
        return reply['seconds'], reply['peak_mb']

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps(dict(op='quit')) + '\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
