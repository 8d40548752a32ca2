"""Official side of ``tools/official/compare_mmnet.py``: run in the
environment of MMNet's authors' code (torch, torchvision, timm).

The authors' ``MMNet`` class lives in their training script
``CASME2_5.py``, which also imports helper modules their repository does
not contain (``opencv_flow``, ``resmodel``, ``gradcam``,
``confusion_matrix``), so the script cannot be imported as a whole. This
side reads it with ``ast``: it runs each of the script's top-level imports
(those that fail are listed and skipped) and then the ``class MMNet``
statement, unchanged, in that namespace; ``CA_block.py`` and
``PC_module.py`` are imported from the checkout as they are. Nothing of the
authors' code is part of this project.

For each setting it builds the model with seeded random weights (its
BatchNorm and LayerNorm statistics and affine parameters randomized too, so
that a misplaced one shows), runs it in eval mode on seeded random onset and
apex frames and saves its state_dict, the frames and the logits to one
``torch.save`` file.

Example (normally started by ``compare_mmnet.py``)::

    /path/to/mmnet-venv/bin/python tools/official/mmnet_side.py \\
        --mmnet-repo /path/to/MMNet --settings settings.json --out case.pt
"""
import argparse
import ast
import json
import os.path as osp
import sys

import torch

SCRIPT = 'CASME2_5.py'


def load_mmnet_class(repo: str) -> type:
    """The authors' ``MMNet`` class, run from their script's source."""
    path = osp.join(repo, SCRIPT)
    with open(path) as f:
        source = f.read()
    tree = ast.parse(source, path)
    sys.path.insert(0, repo)
    namespace = {'__name__': 'mmnet_authors'}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            code = compile(ast.Module([node], []), path, 'exec')
            try:
                exec(code, namespace)
            except ImportError as exc:
                print(f'{SCRIPT}:{node.lineno}: skipped ({exc})',
                      file=sys.stderr)
    classes = [n for n in tree.body
               if isinstance(n, ast.ClassDef) and n.name == 'MMNet']
    if not classes:
        sys.exit(f'{path}: no class MMNet')
    exec(compile(ast.Module(classes, []), path, 'exec'), namespace)
    return namespace['MMNet']


def randomize_norms(model: torch.nn.Module) -> None:
    """Random affine parameters and running statistics for every norm."""
    for module in model.modules():
        if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
            if module.weight is not None:
                torch.nn.init.uniform_(module.weight, 0.5, 1.5)
                torch.nn.init.normal_(module.bias, 0., 0.1)
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.normal_(0., 0.1)
            module.running_var.uniform_(0.5, 1.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mmnet-repo', required=True)
    parser.add_argument('--settings', required=True,
                        help='JSON list of {name, batch, seed, size}')
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    if not osp.isfile(osp.join(args.mmnet_repo, SCRIPT)):
        sys.exit(f'{osp.join(args.mmnet_repo, SCRIPT)}: not found (is '
                 '--mmnet-repo a checkout of muse1998/MMNet?)')
    mmnet = load_mmnet_class(args.mmnet_repo)
    torch.set_num_threads(2)
    with open(args.settings) as f:
        settings = json.load(f)
    cases = {}
    for setting in settings:
        torch.manual_seed(setting['seed'])
        model = mmnet()
        randomize_norms(model)
        model.eval()
        size = setting['size']
        onset = torch.randn(setting['batch'], 3, size, size)
        apex = onset + 0.3 * torch.randn_like(onset)
        others = [torch.zeros_like(onset)] * 3
        with torch.no_grad():
            # forward(x1, ..., x9, if_shuffle): x1 is the onset, x5 the apex
            logits = model(onset, *others, apex, *others, others[0], False)
        cases[setting['name']] = dict(state_dict=model.state_dict(),
                                      onset=onset, apex=apex, logits=logits)
    torch.save(cases, args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
