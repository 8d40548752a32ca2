"""Several folds' models trained as one, against the same models trained
one after another (``tools/analysis_tools/benchmark_stacked_folds.py``).

``K`` copies of a config's recognizer, one a fold, with their parameters
and buffers stacked (:func:`torch.func.stack_module_state`): one training
step is ``vmap(grad(loss))`` over the ``K`` folds' batches and one AdamW
step over the stacked tensors (elementwise, so each fold's slice steps as
its own optimizer would). Against it, the ``K`` models each take their own
forward, backward and AdamW step. Both start from the same weights and see
the same batches, so their gradients differ only by rounding: the report
gives the largest difference of the first step's gradients (relative to
the largest gradient) beside the times. (Not the weights after a few
steps: AdamW moves a weight whose gradient is zero up to rounding, such as
a bias before a BatchNorm, by a full step either way.)

This is the measurement that decides whether a LOSO engine training
several folds in one process pays on a device; nothing in the LOSO tools
uses it.
"""
import copy
from typing import Dict, List, Sequence, Tuple

import torch
from torch import Tensor, nn

from .model import wall_times


class Logits(nn.Module):
    """A recognizer's logits of a batch of inputs (no data preprocessor,
    no data samples): the function the folds share."""

    def __init__(self, recognizer: nn.Module) -> None:
        super().__init__()
        self.recognizer = recognizer

    def forward(self, inputs: Tensor) -> Tensor:
        feats, _ = self.recognizer.extract_feat(inputs, stage='neck')
        return self.recognizer.cls_head(feats)


def build_logits(config: str, seed: int) -> Tuple[Logits, Tuple[int, ...]]:
    """The recognizer of ``config``, weights from ``seed``, and the shape of
    one sample of its input."""
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    init_default_scope('mmaction')
    cfg = Config.fromfile(config)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)  # PyTorch's default init: timing only
    if type(getattr(model, 'backbone', None)).__name__ != 'TSFmicro':
        raise ValueError(f'{config}: the tool times TSFmicro configs (an '
                         'onset/apex pair of the backbone\'s input size); '
                         f'this one builds {type(model.backbone).__name__}')
    size = tuple(model.backbone.input_size)
    return Logits(model), (1, 3, 2) + size


def has_randomness(model: nn.Module) -> List[str]:
    """The modules that draw random numbers in training (dropout, drop
    path with a nonzero rate): a stacked step draws them otherwise than
    the folds apart, so the two cannot be compared."""
    found = []
    for name, m in model.named_modules():
        rate = getattr(m, 'drop_prob', None)
        if rate is None and isinstance(m, nn.modules.dropout._DropoutNd):
            rate = m.p
        if rate:
            found.append(f'{name} ({type(m).__name__}, {rate})')
    return found


class Apart:
    """``K`` models, each stepped on its own batch in turn."""

    def __init__(self, models: Sequence[nn.Module], lr: float) -> None:
        self.models = list(models)
        self.optims = [torch.optim.AdamW(m.parameters(), lr=lr)
                       for m in self.models]

    def step(self, inputs: Tensor, labels: Tensor) -> None:
        for k, (model, optim) in enumerate(zip(self.models, self.optims)):
            loss = nn.functional.cross_entropy(model(inputs[k]), labels[k])
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()

    def gradients(self) -> List[Dict[str, Tensor]]:
        """Each fold's gradients of the last step."""
        return [{n: p.grad for n, p in m.named_parameters()}
                for m in self.models]


class Stacked:
    """The same ``K`` models as stacked tensors, stepped at once."""

    def __init__(self, models: Sequence[nn.Module], lr: float) -> None:
        from torch.func import functional_call, grad, stack_module_state, vmap

        params, buffers = stack_module_state(list(models))
        # the buffers of the state dict (BatchNorm statistics, learned in
        # training) are stacked; the non-persistent ones, derived from the
        # config (the retention's rotary angles and decays), are the first
        # model's, alike in all
        persistent = models[0].state_dict().keys()
        self.params = params
        self.buffers = {n: b for n, b in buffers.items() if n in persistent}
        self.optim = torch.optim.AdamW(list(params.values()), lr=lr)
        base = copy.deepcopy(models[0])

        def loss(p, b, x, y):
            logits = functional_call(base, (p, b), (x, ))
            return nn.functional.cross_entropy(logits, y)

        self.grads = vmap(grad(loss), randomness='error')

    def step(self, inputs: Tensor, labels: Tensor) -> None:
        grads = self.grads(self.params, self.buffers, inputs, labels)
        for name, p in self.params.items():
            p.grad = grads[name]
        self.optim.step()

    def gradients(self) -> List[Dict[str, Tensor]]:
        """Each fold's gradients of the last step."""
        k = next(iter(self.params.values())).shape[0]
        return [{n: p.grad[i] for n, p in self.params.items()}
                for i in range(k)]


def relative_difference(a: List[Dict[str, Tensor]],
                        b: List[Dict[str, Tensor]]) -> float:
    """Largest absolute difference of any tensor of any fold, over the
    largest absolute value in ``a``."""
    diff = max((x[n] - y[n]).abs().max().item()
               for x, y in zip(a, b, strict=True) for n in x)
    scale = max(t.abs().max().item() for x in a for t in x.values())
    return diff / scale


def compare(config: str, folds: int, batch_size: int, device: str,
            warmup: int = 1, iters: int = 5, lr: float = 1e-3,
            num_classes: int = 5) -> Dict[str, float]:
    """Time ``folds`` models stepped apart and stacked; the largest
    relative difference of their first step's gradients.

    Raises:
        ValueError: If the model draws random numbers in training.
    """
    models = []
    for k in range(folds):
        model, shape = build_logits(config, seed=k)
        models.append(model.to(device).train())
    random_parts = has_randomness(models[0])
    if random_parts:
        raise ValueError(f'{config}: the model draws random numbers in '
                         f'training ({", ".join(random_parts)}); set their '
                         'rates to 0 (--cfg-options) to compare')
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn((folds, batch_size) + shape, generator=gen)
    labels = torch.randint(0, num_classes, (folds, batch_size),
                           generator=gen)
    inputs, labels = inputs.to(device), labels.to(device)
    apart = Apart([copy.deepcopy(m) for m in models], lr)
    stacked = Stacked([copy.deepcopy(m) for m in models], lr)
    apart.step(inputs, labels)
    stacked.step(inputs, labels)
    difference = relative_difference(apart.gradients(),
                                     stacked.gradients())
    sync = torch.cuda.synchronize if device.startswith('cuda') else \
        (lambda: None)
    return dict(
        folds=folds,
        apart_s=wall_times(lambda: apart.step(inputs, labels), warmup,
                           iters, sync)[0],
        stacked_s=wall_times(lambda: stacked.step(inputs, labels), warmup,
                             iters, sync)[0],
        gradient_difference=difference)


def report(rows: List[Dict[str, float]], header: str) -> str:
    """A Markdown table of :func:`compare`'s rows."""
    lines = [header, '',
             '| folds | apart: a step of every fold | stacked: one step '
             '| stacked speed-up | largest gradient difference |',
             '|---|---|---|---|---|']
    for r in rows:
        lines.append(
            f"| {r['folds']} | {r['apart_s'] * 1e3:.1f} ms "
            f"| {r['stacked_s'] * 1e3:.1f} ms "
            f"| {r['apart_s'] / r['stacked_s']:.2f}x "
            f"| {r['gradient_difference']:.1e} of the largest gradient |")
    return '\n'.join(lines) + '\n'
