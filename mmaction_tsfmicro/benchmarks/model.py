"""The TSFmicro recognizer timed on the CPU: forward and training step
(tools/analysis_tools/benchmark_model.py), and where the time goes.
"""
import argparse
import os.path as osp
import statistics
import time
from typing import Callable, Dict, Optional, Tuple

import torch

#: The repository (the configs of the presets live there).
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def wall_times(fn: Callable[[], None], warmup: int, iters: int,
               sync: Callable[[], None] = lambda: None
               ) -> Tuple[float, float]:
    """Median and minimum wall time of ``fn`` over ``iters`` runs after
    ``warmup`` untimed ones; ``sync`` (``torch.cuda.synchronize`` on a GPU)
    ends each run's asynchronous work before its time is taken."""
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        sync()
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


