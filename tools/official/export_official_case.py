"""Official side of the converter check: run in the official code's env.

Builds the official ``ts_micro`` (from a checkout of the official TSFmicro
repository, imported at run time; nothing of it is part of this project)
with random weights that make every tensor matter (random BatchNorm
statistics, LayerNorm/BatchNorm affines, Xavier linear weights, random
position embedding), saves its state_dict, and saves its logits and branch
maps for random onset/apex pairs prepared with the official test
transforms. ``compare_with_official.py`` then checks the plugin against
them. The official code needs torchvision and timm (a separate virtualenv,
see docs/model.md).

Example::

    /path/to/official-venv/bin/python tools/official/export_official_case.py \\
        --official-repo /path/to/TSFmicro --out work_dirs/official_case
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np
import torch


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--official-repo',
        required=True,
        help='checkout of Cross-Innovation-Lab/TSFmicro')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num-pairs', type=int, default=6)
    parser.add_argument('--seed', type=int, default=123)
    return parser.parse_args()


def randomize(model: torch.nn.Module) -> None:
    """Give every normalization and linear layer random values."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.xavier_normal_(m.weight)
                m.bias.normal_(0, 0.05)
        model.vit_pos.pos_embed.normal_(0, 0.5)


def frame_pairs(num: int, rng: np.random.Generator):
    """Half micro-motions (a small local change), half unrelated frames."""
    onsets, apexes = [], []
    for i in range(num):
        onset = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
        if i >= num // 2:
            apex = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
        else:
            apex = onset.copy()
            y, x = rng.integers(20, 180, 2)
            patch = apex[y:y + 30, x:x + 30].astype(int)
            apex[y:y + 30, x:x + 30] = np.clip(
                patch + rng.integers(-40, 40, patch.shape), 0, 255)
        onsets.append(onset)
        apexes.append(apex)
    return np.stack(onsets), np.stack(apexes)


def main() -> None:
    args = parse_args()
    if not osp.isfile(
            osp.join(args.official_repo, 'classes', 'model', 'ts_micro.py')):
        sys.exit(f'{args.official_repo}: no classes/model/ts_micro.py; give '
                 'a checkout of the official TSFmicro repository')
    sys.path.insert(0, args.official_repo)
    from classes.model.ts_micro import ts_micro
    from torchvision import transforms

    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    model = ts_micro(num_classes=5)
    randomize(model)
    model.eval()
    torch.save(model.state_dict(), osp.join(args.out,
                                            'official_state_dict.pth'))

    tf = transforms.Compose([
        transforms.ToPILImage(),
        transforms.Resize((224, 224)),
        transforms.ToTensor(),
        transforms.Normalize(
            mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    ])
    onsets, apexes = frame_pairs(args.num_pairs, np.random.default_rng(0))
    maps = {}
    model.main_branch.layers[-1].register_forward_hook(
        lambda m, i, o: maps.__setitem__('temporal', o.permute(0, 3, 1, 2)))
    model.vit_pos.register_forward_hook(lambda m, i, o: maps.__setitem__(
        'spatial',
        o.transpose(1, 2).reshape(len(onsets), 512, 14, 14)))
    with torch.no_grad():
        logits = model(
            torch.stack([tf(i) for i in onsets]),
            torch.stack([tf(i) for i in apexes]))
    torch.save(
        dict(
            onset=torch.from_numpy(onsets),
            apex=torch.from_numpy(apexes),
            logits=logits,
            **maps), osp.join(args.out, 'official_case.pth'))
    print(f'wrote {args.out}/official_state_dict.pth and official_case.pth; '
          f'{sum(p.numel() for p in model.parameters())} parameters')


if __name__ == '__main__':
    main()
