"""Time the TSFmicro recognizer on the CPU: forward and training step.

For each ``--arch`` preset the plugin's ``Recognizer3D`` is timed on random
inputs at the preset's input size. The model config is ``--config`` if
given, else ``configs/_base_/models/tsfmicro_<arch>.py`` if it exists (e.g.
the tiny config with its narrower head), else the paper config; its backbone
arch is set to the preset and the neck/head widths follow the backbone:

* forward: ``mode='predict'`` in eval mode under ``torch.no_grad()``;
* training step: ``mode='loss'``, backward and an AdamW step.

Each figure is the median (and the minimum) over ``--iters`` timed runs after
``--warmup`` untimed ones; a Markdown table is printed with the machine, the
thread count and the load average (other processes on a shared machine slow
the runs down; the minimum is the least disturbed run).

With ``--profile`` it also prints where the time goes: the share of the
matrix products, convolutions, softmax and copies in each step. With
``--compile`` the backbone runs through ``torch.compile`` (static shapes),
and the first training step, which compiles it, is printed apart.

Example::

    python tools/benchmark_model.py --arch paper small tiny \\
        --batch-size 32 --threads 2 [--profile]
"""
import argparse
import os
import os.path as osp
import platform
import statistics
import time
from typing import Callable, Dict, List, Optional, Tuple

import torch

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

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


def wall_times(fn: Callable[[], None], warmup: int,
               iters: int) -> Tuple[float, float]:
    """Median and minimum wall time of ``fn`` over ``iters`` runs after
    ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


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
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401

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
    if args.compile:
        # static shapes: one graph per batch shape
        model.backbone = torch.compile(model.backbone, dynamic=False)

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
    start = time.perf_counter()
    train_step()  # with --compile: compiles the training graphs
    first_train = time.perf_counter() - start
    train = wall_times(train_step, args.warmup, args.iters)
    shares = {}
    if args.profile:
        shares['train step'] = op_shares(train_step)
    model.eval()
    fwd = wall_times(forward, args.warmup, args.iters)
    if args.profile:
        shares['forward'] = op_shares(forward)
    return dict(
        first_train=first_train,
        shares=shares,
        arch=arch,
        config=osp.relpath(config_for(arch, args.config), REPO),
        size=f'{size[0]}x{size[1]}',
        params=sum(p.numel() for p in model.parameters()),
        forward=fwd,
        train=train)


#: Kinds of op for ``--profile``: the matrix products and convolutions
#: (library kernels the official code calls alike) and the attention's
#: softmax; the rest is elementwise work, copies, norms and the optimizer.
OP_KINDS = {
    'matrix products (linear layers)': ('aten::addmm', 'aten::mm'),
    'matrix products (attention)': ('aten::bmm', ),
    'convolutions': ('aten::mkldnn_convolution', 'aten::convolution_backward',
                     'aten::_convolution', 'aten::thnn_conv2d',
                     'aten::_slow_conv2d_forward',
                     'aten::_slow_conv2d_backward'),
    'softmax': ('aten::_softmax', 'aten::_softmax_backward_data'),
    'copies': ('aten::copy_', 'aten::cat', 'aten::flip'),
}


def op_shares(fn: Callable[[], None], runs: int = 2) -> Dict[str, float]:
    """Share of the self CPU time of each :data:`OP_KINDS` kind (and
    ``other``) over ``runs`` runs of ``fn`` under ``torch.profiler``."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(runs):
            fn()
    times = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
    total = sum(times.values()) or 1.
    shares = {
        kind: sum(times.get(name, 0.) for name in names) / total
        for kind, names in OP_KINDS.items()
    }
    shares['other'] = max(0., 1. - sum(shares.values()))
    return shares


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
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
    parser.add_argument(
        '--compile', action='store_true',
        help='run the backbone through torch.compile (static shapes); the '
        'first training step, which compiles it, is printed apart')
    parser.add_argument(
        '--profile', action='store_true',
        help='also print where the time goes: the share of matrix '
        'products, convolutions, softmax, copies and the rest')
    return parser.parse_args(argv)


def load_average() -> str:
    """1-minute load average of the machine, if the OS tells it."""
    try:
        return f'{os.getloadavg()[0]:.2f}'
    except (AttributeError, OSError):
        return 'n/a'


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    load_before = load_average()
    rows = [benchmark(arch, args) for arch in args.arch]
    print(f'CPU: {cpu_name()} ({os.cpu_count()} logical CPUs); torch '
          f'{torch.__version__}; {args.threads} threads; batch '
          f'{args.batch_size}; median (min) of {args.iters} runs after '
          f'{args.warmup} warm-up runs; 1-min load average '
          f'{load_before} before, {load_average()} after\n')
    print('| arch | config | input | params | forward / batch '
          '| train step / batch | train step / sample |')
    print('|---|---|---|---|---|---|---|')
    n = args.batch_size
    for r in rows:
        fwd, train = r['forward'], r['train']
        print(f"| {r['arch']} | {r['config']} | {r['size']} "
              f"| {r['params'] / 1e6:.2f} M "
              f"| {fwd[0] * 1e3:.0f} ms ({fwd[1] * 1e3:.0f}) "
              f"| {train[0] * 1e3:.0f} ms ({train[1] * 1e3:.0f}) "
              f"| {train[0] / n * 1e3:.1f} ms |")
    for r in rows:
        print(f"\n{r['arch']}: first training step "
              f"{r['first_train']:.1f} s"
              + (' (torch.compile compiling the backbone)' if args.compile
                 else '') + '; not in the table')
    if args.profile:
        kinds = list(OP_KINDS) + ['other']
        print('\nShare of the self CPU time (torch.profiler):\n')
        print('| arch | step | ' + ' | '.join(kinds) + ' |')
        print('|---|---|' + '---|' * len(kinds))
        for r in rows:
            for step, shares in r['shares'].items():
                print(f"| {r['arch']} | {step} | " + ' | '.join(
                    f'{shares[k] * 100:.0f} %' for k in kinds) + ' |')


if __name__ == '__main__':
    run_main(main)
