"""Plugin side of the converter check: same logits as the official model?

Loads a checkpoint converted by ``tools/official/convert_official_checkpoint.py``
into the plugin's ``Recognizer3D`` (strictly), puts the raw uint8 frame
pairs saved by ``export_official_case.py`` through MMAction2's
``ActionDataPreprocessor`` and the model, and compares the logits and the
two branch maps with the official ones. Exits 1 when the logits differ by
more than ``--tol``.

Example::

    python tools/official/compare_with_official.py work_dirs/official_case
"""
import argparse
import os.path as osp
import sys

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('case_dir', help='folder of export_official_case.py')
    parser.add_argument('--checkpoint', default=None,
                        help='converted checkpoint (default: '
                        'CASE_DIR/converted.pth)')
    parser.add_argument(
        '--config', default=osp.join(REPO, 'configs', '_base_', 'models',
                                     'tsfmicro.py'))
    parser.add_argument('--tol', type=float, default=1e-4)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    init_default_scope('mmaction')
    model = MODELS.build(Config.fromfile(args.config).model)
    ckpt = torch.load(
        args.checkpoint or osp.join(args.case_dir, 'converted.pth'),
        map_location='cpu')
    model.load_state_dict(ckpt['state_dict'], strict=True)
    model.eval()
    case = torch.load(osp.join(args.case_dir, 'official_case.pth'))
    # raw uint8 frames as the pipeline packs them: (N, 1, C, T=2, H, W)
    clip = torch.stack([case['onset'], case['apex']], dim=1)
    clip = clip.permute(0, 4, 1, 2, 3).unsqueeze(1).contiguous()
    samples = [ActionDataSample().set_gt_label(0) for _ in range(len(clip))]
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=list(clip), data_samples=samples))
        temporal, spatial = model.backbone(data['inputs'][:, 0])
        feats, _ = model.extract_feat(data['inputs'], test_mode=True)
        logits = model.cls_head(feats)
    for name, ours in (('temporal', temporal), ('spatial', spatial)):
        ref = case[name]
        print(f'{name} map: max abs difference '
              f'{(ours - ref).abs().max().item():.3e} (values '
              f'{ref.min().item():.2f}..{ref.max().item():.2f})')
    diff = (logits - case['logits']).abs().max().item()
    same = bool((logits.argmax(1) == case['logits'].argmax(1)).all())
    print(f'logits: max abs difference {diff:.3e}; same argmax: {same}')
    return 0 if diff <= args.tol else 1


if __name__ == '__main__':
    sys.exit(main())
