"""The plugin's HTNet against its authors' code: the same weights and
inputs give the same class scores.

The authors' ``HTNet`` (``Model.py`` of a checkout of
``wangzhifengharrison/HTNet`` the user points to) runs in its own
environment (``--python``; torch and einops suffice) through
``tools/official/htnet_side.py``; its state_dict is converted to the
plugin's names (:func:`~mmaction_tsfmicro.models.official_htnet.
convert_htnet_state_dict`) and loaded, strictly, into the plugin's
``HTNet`` and ``HTNetHead``, which then score the same inputs. Two
settings: the authors' (28 x 28, patch 7, dim 256, 3 heads, 3 levels,
(2, 2, 10) blocks, 3 classes; 139.6 M parameters) and a smaller one whose
levels attend among several positions (32 x 32, patch 2, dim 16).

Example (docs/htnet.md)::

    python tools/official/compare_htnet.py --htnet-repo /path/to/HTNet \\
        [--python /path/to/htnet-venv/bin/python] [--out parity.json]

Exit status 1 when a difference exceeds ``--tolerance`` (1e-5).
"""
import argparse
import os.path as osp
import sys

HERE = osp.dirname(osp.abspath(__file__))

SETTINGS = [
    dict(name='authors', batch=8, seed=0,
         kwargs=dict(image_size=28, patch_size=7, dim=256, heads=3,
                     num_hierarchies=3, block_repeats=[2, 2, 10],
                     num_classes=3)),
    dict(name='small', batch=8, seed=1,
         kwargs=dict(image_size=32, patch_size=2, dim=16, heads=2,
                     num_hierarchies=3, block_repeats=[1, 2, 1],
                     num_classes=5)),
]


def parse_args(argv=None) -> argparse.Namespace:
    from mmaction_tsfmicro.utils.cli import ArgumentParser
    parser = ArgumentParser(description='HTNet against its authors\' code')
    parser.add_argument('--htnet-repo', required=True,
                        help='a checkout of wangzhifengharrison/HTNet')
    parser.add_argument('--python', default=sys.executable,
                        help='the Python of the authors\' environment '
                        '(default: this one)')
    parser.add_argument('--settings', nargs='+',
                        choices=[s['name'] for s in SETTINGS],
                        default=[s['name'] for s in SETTINGS])
    parser.add_argument('--tolerance', type=float, default=1e-5)
    parser.add_argument('--out', metavar='JSON',
                        help='write the differences')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(osp.join(args.htnet_repo, 'Model.py')):
        raise FileNotFoundError(f'{args.htnet_repo}: no Model.py (give a '
                                'checkout of wangzhifengharrison/HTNet)')
    settings = [s for s in SETTINGS if s['name'] in args.settings]
    import torch

    import mmaction_tsfmicro.plugin  # noqa: F401
    from mmaction_tsfmicro.models.backbones.htnet import HTNet
    from mmaction_tsfmicro.models.heads.htnet_head import HTNetHead
    from mmaction_tsfmicro.models.official_htnet import \
        convert_htnet_state_dict
    from mmaction_tsfmicro.utils.authors_code import (parity_verdict,
                                                      run_authors_side)
    cases = run_authors_side(
        args.python, osp.join(HERE, 'htnet_side.py'),
        ['--htnet-repo', args.htnet_repo], settings)
    results = []
    for setting in settings:
        kwargs = dict(setting['kwargs'])
        num_classes = kwargs.pop('num_classes')
        got = cases[setting['name']]
        backbone = HTNet(**kwargs).eval()
        head = HTNetHead(num_classes, backbone.out_channels).eval()
        ours, theirs = convert_htnet_state_dict(got['state_dict'])
        backbone.load_state_dict(ours, strict=True)
        head.load_state_dict(theirs, strict=True)
        with torch.no_grad():
            logits = head(backbone(got['inputs']))
        diff = float((logits - got['logits']).abs().max())
        params = sum(v.numel() for v in got['state_dict'].values())
        results.append(dict(setting=setting['name'], kwargs=setting['kwargs'],
                            parameters=params, max_abs_diff=diff))
        print(f"{setting['name']}: {params:,} parameters, {len(got['inputs'])}"
              f' inputs, max |logit difference| {diff:.3g}')
    return parity_verdict(args.htnet_repo, 'htnet_repo', results,
                          args.tolerance, args.out)


if __name__ == '__main__':
    from mmaction_tsfmicro.utils.cli import run_main
    run_main(main)
