"""Official side of ``tools/analysis_tools/benchmark.py --official``: run in the official
code's environment.

Builds the official ``ts_micro`` from a checkout of the official TSFmicro
repository (imported at run time; nothing of it is part of this project),
gives it the random weights of ``export_official_case.py`` and saves its
state_dict, so that ``tools/analysis_tools/benchmark.py`` converts and loads the same
weights into the plugin's model. Then it serves timing requests, one JSON
object a line on stdin, and answers each with one line ``@@ {json}`` on
stdout (other lines, e.g. the official code's prints, are ignored):

* ``{"op": "inputs", "path": P}``: load onset and apex (N, 3, H, W),
  already normalized, from ``torch.save`` file P;
* ``{"op": "train", "batch": B}``: one training step (cross-entropy, as the
  official training scripts: AdamW lr 8e-4, weight decay 0.6) on the first
  B pairs; answers ``seconds`` and ``peak_mb``;
* ``{"op": "forward", "batch": B}``: one forward in eval mode without
  gradients; answers ``seconds`` and ``peak_mb``;
* with ``"memory": true`` in a train or forward request, the peak memory
  is sampled during it; without, no sampling thread runs and ``peak_mb``
  is null (the timed runs);
* ``{"op": "logits", "path": P}``: the eval-mode logits of every pair,
  saved to P;
* ``{"op": "quit"}``.

Example (normally started by ``tools/analysis_tools/benchmark.py``)::

    /path/to/official-venv/bin/python tools/official/benchmark_official.py \\
        --official-repo /path/to/TSFmicro --state-out /tmp/official.pth
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import sys
import time

import torch

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))


def _load(path: str, name: str):
    """A module of this repository by its file path: the official
    environment has no MMEngine, so the package itself is not imported."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--official-repo', required=True,
                        help='checkout of Cross-Innovation-Lab/TSFmicro')
    parser.add_argument('--state-out', required=True,
                        help='where to save the official state_dict')
    parser.add_argument('--num-classes', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--seed', type=int, default=123)
    parser.add_argument('--device', default='cpu',
                        help='cpu or cuda (the timings wait for the GPU)')
    return parser.parse_args()


def answer(**fields) -> None:
    print('@@ ' + json.dumps(fields), flush=True)


def main() -> int:
    args = parse_args()
    if not osp.isfile(osp.join(args.official_repo, 'classes', 'model',
                               'ts_micro.py')):
        print(f'{args.official_repo}: no classes/model/ts_micro.py; give a '
              'checkout of the official TSFmicro repository',
              file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    case = _load(osp.join(HERE, 'export_official_case.py'), 'official_case')
    memory = _load(osp.join(REPO, 'mmaction_tsfmicro', 'utils',
                            'memory.py'), 'memory')
    sys.path.insert(0, args.official_repo)
    from classes.model.ts_micro import ts_micro

    torch.manual_seed(args.seed)
    model = ts_micro(num_classes=args.num_classes)
    case.randomize(model)
    torch.save(model.state_dict(), args.state_out)
    device = torch.device(args.device)
    model = model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=8e-4,
                                  weight_decay=0.6)
    criterion = torch.nn.CrossEntropyLoss()
    onset = apex = labels = None
    answer(ready=True, torch=torch.__version__,
           params=sum(p.numel() for p in model.parameters()),
           malloc={k: v for k, v in os.environ.items()
                   if k.startswith('MALLOC_')})

    def train(batch: int) -> None:
        model.train()
        loss = criterion(model(onset[:batch], apex[:batch]), labels[:batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def forward(batch: int) -> None:
        model.eval()
        with torch.no_grad():
            model(onset[:batch], apex[:batch])

    def sync() -> None:
        if device.type == 'cuda':
            torch.cuda.synchronize()

    for line in sys.stdin:
        request = json.loads(line)
        op = request['op']
        if op == 'quit':
            break
        if op == 'inputs':
            data = torch.load(request['path'])
            onset, apex = data['onset'].to(device), data['apex'].to(device)
            labels = (torch.arange(len(onset)) % args.num_classes).to(device)
            answer(num=len(onset))
        elif op in ('train', 'forward'):
            fn = train if op == 'train' else forward
            if not request.get('memory', False):  # a timed run: no sampler
                sync()
                start = time.perf_counter()
                fn(request['batch'])
                sync()
                answer(seconds=time.perf_counter() - start, peak_mb=None)
                continue
            with memory.PeakRSS() as peak:
                start = time.perf_counter()
                fn(request['batch'])
                seconds = time.perf_counter() - start
            answer(seconds=seconds, peak_mb=peak.mb)
        elif op == 'logits':
            model.eval()
            with torch.no_grad():
                torch.save(model(onset, apex).cpu(), request['path'])
            answer(saved=request['path'])
        else:
            answer(error=f'unknown op {op!r}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
