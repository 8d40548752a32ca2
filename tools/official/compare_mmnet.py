"""The plugin's MMNet against its authors' code: the same weights and
inputs give the same class scores.

The authors' ``MMNet`` (``CASME2_5.py``, ``CA_block.py`` and
``PC_module.py`` of a checkout of ``muse1998/MMNet`` the user points to)
runs in its own environment (``--python``; torch, torchvision and timm)
through ``tools/official/mmnet_side.py``; its state_dict is converted to the
plugin's names (:func:`~mmaction_tsfmicro.models.official_mmnet.
convert_mmnet_state_dict`) and loaded, strictly, into the plugin's
``MMNet`` (``arch='paper'``) and ``MMNetHead``, which then score the same
onset and apex frames. The authors' model has one size (224 x 224 pairs, 5
classes; 9.4 M parameters in its forward).

Example (docs/mmnet.md)::

    python tools/official/compare_mmnet.py --mmnet-repo /path/to/MMNet \\
        --python /path/to/mmnet-venv/bin/python [--out parity.json]

Exit status 1 when a difference exceeds ``--tolerance`` (1e-5).
"""
import argparse
import os.path as osp
import sys

HERE = osp.dirname(osp.abspath(__file__))

SETTINGS = [dict(name='authors', batch=4, seed=0, size=224)]


def parse_args(argv=None) -> argparse.Namespace:
    from mmaction_tsfmicro.utils.cli import ArgumentParser
    parser = ArgumentParser(description='MMNet against its authors\' code')
    parser.add_argument('--mmnet-repo', required=True,
                        help='a checkout of muse1998/MMNet')
    parser.add_argument('--python', default=sys.executable,
                        help='the Python of the authors\' environment '
                        '(default: this one)')
    parser.add_argument('--batch', type=int, default=4,
                        help='pairs scored (default: 4)')
    parser.add_argument('--tolerance', type=float, default=1e-5)
    parser.add_argument('--out', metavar='JSON',
                        help='write the differences')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(osp.join(args.mmnet_repo, 'CASME2_5.py')):
        raise FileNotFoundError(f'{args.mmnet_repo}: no CASME2_5.py (give a '
                                'checkout of muse1998/MMNet)')
    settings = [dict(s, batch=args.batch) for s in SETTINGS]
    import torch

    import mmaction_tsfmicro.plugin  # noqa: F401
    from mmaction_tsfmicro.models.backbones.mmnet import MMNet
    from mmaction_tsfmicro.models.heads.mmnet_head import MMNetHead
    from mmaction_tsfmicro.models.official_mmnet import \
        convert_mmnet_state_dict
    from mmaction_tsfmicro.utils.authors_code import (parity_verdict,
                                                      run_authors_side)
    cases = run_authors_side(
        args.python, osp.join(HERE, 'mmnet_side.py'),
        ['--mmnet-repo', args.mmnet_repo], settings)
    results = []
    for setting in settings:
        got = cases[setting['name']]
        backbone = MMNet('paper').eval()
        head = MMNetHead(5, backbone.out_channels,
                         backbone.grid_size[0]).eval()
        ours, theirs = convert_mmnet_state_dict(got['state_dict'])
        backbone.load_state_dict(ours, strict=True)
        head.load_state_dict(theirs, strict=True)
        pair = torch.stack((got['onset'], got['apex']), dim=2)
        with torch.no_grad():
            logits = head(backbone(pair))
        diff = float((logits - got['logits']).abs().max())
        params = sum(p.numel() for part in (backbone, head)
                     for p in part.parameters())
        results.append(dict(setting=setting['name'], batch=setting['batch'],
                            parameters=params, max_abs_diff=diff,
                            logit_scale=float(got['logits'].abs().max())))
        print(f"{setting['name']}: {params:,} parameters in the forward, "
              f"{setting['batch']} pairs, max |logit difference| {diff:.3g}"
              f" (logits up to {results[-1]['logit_scale']:.3g})")
    return parity_verdict(args.mmnet_repo, 'mmnet_repo', results,
                          args.tolerance, args.out)


if __name__ == '__main__':
    from mmaction_tsfmicro.utils.cli import run_main
    run_main(main)
