"""Official side of ``tools/official/compare_htnet.py``: run in the
environment of HTNet's authors' code (torch and einops).

Builds the authors' ``HTNet`` of ``Model.py`` from a checkout of
``wangzhifengharrison/HTNet`` (imported at run time; nothing of it is part
of this project) for each setting, with seeded random weights, runs it in
eval mode on seeded random inputs and saves, per setting, its state_dict,
the inputs and the logits to one ``torch.save`` file.

Example (normally started by ``compare_htnet.py``)::

    /path/to/htnet-venv/bin/python tools/official/htnet_side.py \\
        --htnet-repo /path/to/HTNet --settings settings.json --out case.pt
"""
import argparse
import importlib.util
import json
import os.path as osp
import sys

import torch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--htnet-repo', required=True)
    parser.add_argument('--settings', required=True,
                        help='JSON list of {name, kwargs, batch, seed}')
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    path = osp.join(args.htnet_repo, 'Model.py')
    if not osp.isfile(path):
        sys.exit(f'{path}: not found (is --htnet-repo a checkout of '
                 'wangzhifengharrison/HTNet?)')
    spec = importlib.util.spec_from_file_location('htnet_authors', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.set_num_threads(2)
    cases = {}
    with open(args.settings) as f:
        settings = json.load(f)
    for setting in settings:
        torch.manual_seed(setting['seed'])
        kwargs = dict(setting['kwargs'])
        # JSON has no tuples; the authors' code takes a tuple or an int
        kwargs['block_repeats'] = tuple(kwargs['block_repeats'])
        model = module.HTNet(**kwargs).eval()
        size = setting['kwargs']['image_size']
        inputs = torch.randn(setting['batch'], 3, size, size)
        with torch.no_grad():
            logits = model(inputs)
        cases[setting['name']] = dict(state_dict=model.state_dict(),
                                      inputs=inputs, logits=logits)
    torch.save(cases, args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
