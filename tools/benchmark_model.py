"""Time the TSFmicro recognizer on the CPU: forward and training step.

For each ``--arch`` preset the plugin's ``Recognizer3D`` is timed on random
inputs at the preset's input size. The model config is ``--config`` if
given, else ``configs/_base_/models/tsfmicro_<arch>.py`` if it exists (e.g.
the tiny config with its narrower head), else the paper config; its backbone
arch is set to the preset and the neck/head widths follow the backbone:

* forward: ``mode='predict'`` in eval mode under ``torch.no_grad()``;
* training step: ``mode='loss'``, backward and an AdamW step.

Each figure is the median over ``--iters`` timed runs after ``--warmup``
untimed ones; a Markdown table is printed.

Example::

    PYTHONPATH=. python tools/benchmark_model.py --arch paper small tiny \\
        --batch-size 32 --threads 2
"""
import argparse
import os.path as osp
import platform
import statistics
import time
from typing import Callable, Dict, List, Optional

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def cpu_name() -> str:
    """CPU model name from /proc/cpuinfo, else ``platform.processor()``."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def median_seconds(fn: Callable[[], None], warmup: int, iters: int) -> float:
    """Median wall time of ``fn`` over ``iters`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def config_for(arch: str, config: Optional[str]) -> str:
    """Model config used for ``arch`` (see the module docstring)."""
    if config is not None:
        return config
    models = osp.join(REPO, 'configs', '_base_', 'models')
    own = osp.join(models, f'tsfmicro_{arch}.py')
    return own if osp.exists(own) else osp.join(models, 'tsfmicro.py')


def build_model(config: str, arch: str, num_classes: int,
                input_size: Optional[int]):
    """Recognizer3D of ``config`` with the backbone's ``arch`` preset."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro  # noqa: F401
    from mmaction.registry import MODELS

    cfg = Config.fromfile(config)
    init_default_scope('mmaction')
    cfg.model.backbone.arch = arch
    if input_size is not None:
        cfg.model.backbone.input_size = input_size
    backbone = MODELS.build(cfg.model.backbone)
    cfg.model.neck.in_channels = backbone.out_channels
    cfg.model.cls_head.in_channels = backbone.out_channels
    cfg.model.cls_head.num_classes = num_classes
    model = MODELS.build(cfg.model)  # PyTorch's default init: timing only
    return model, backbone.input_size


def benchmark(arch: str, args: argparse.Namespace) -> Dict[str, object]:
    """Forward and training-step times of one preset."""
    from mmaction.structures import ActionDataSample

    torch.manual_seed(0)
    model, size = build_model(config_for(arch, args.config), arch,
                              args.num_classes, args.input_size)
    n = args.batch_size
    inputs = torch.randn(n, 1, 3, 2, *size)
    samples = [
        ActionDataSample().set_gt_label(i % args.num_classes)
        for i in range(n)
    ]
    optimizer = torch.optim.AdamW(model.parameters(), lr=8e-4,
                                  weight_decay=0.6)

    def train_step() -> None:
        losses = model(inputs, samples, mode='loss')
        loss, _ = model.parse_losses(losses)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def forward() -> None:
        with torch.no_grad():
            model(inputs, samples, mode='predict')

    model.train()
    train = median_seconds(train_step, args.warmup, args.iters)
    model.eval()
    fwd = median_seconds(forward, args.warmup, args.iters)
    return dict(
        arch=arch,
        config=osp.relpath(config_for(arch, args.config), REPO),
        size=f'{size[0]}x{size[1]}',
        params=sum(p.numel() for p in model.parameters()),
        forward=fwd,
        train=train)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config', default=None,
        help='model config for every arch (default: per arch, see above)')
    parser.add_argument(
        '--arch', nargs='+', default=['paper', 'small', 'tiny'],
        help='backbone presets to time')
    parser.add_argument('--input-size', type=int, default=None,
                        help="override the presets' input size")
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--num-classes', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2,
                        help='torch.set_num_threads')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--iters', type=int, default=5)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = [benchmark(arch, args) for arch in args.arch]
    print(f'CPU: {cpu_name()}; torch {torch.__version__}; '
          f'{args.threads} threads; batch {args.batch_size}; '
          f'median of {args.iters} runs after {args.warmup} warm-up runs\n')
    print('| arch | config | input | params | forward / batch '
          '| forward / sample | train step / batch | train step / sample |')
    print('|---|---|---|---|---|---|---|---|')
    n = args.batch_size
    for r in rows:
        print(f"| {r['arch']} | {r['config']} | {r['size']} | {r['params'] / 1e6:.2f} M "
              f"| {r['forward'] * 1e3:.0f} ms | {r['forward'] / n * 1e3:.1f} ms "
              f"| {r['train'] * 1e3:.0f} ms | {r['train'] / n * 1e3:.1f} ms |")


if __name__ == '__main__':
    main()
