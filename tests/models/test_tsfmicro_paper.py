"""The paper-size model: parameter count and a CPU forward/backward."""
import json
import os.path as osp

import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAPER = osp.join(REPO, 'configs', '_base_', 'models', 'tsfmicro.py')
OFFICIAL_KEYS = osp.join(REPO, 'tests', 'data', 'official_ts_micro_keys.json')

#: Tensors of the official model that its forward never uses (a class token,
#: a classifier and a mask layer left in its ViT); the plugin omits them.
UNUSED = ('vit_pos.cls_token', 'vit_pos.head.', 'vit_pos.to_Mask.')


def build_paper():
    init_default_scope('mmaction')
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(PAPER).model)


def test_parameter_count_matches_the_official_model():
    with open(OFFICIAL_KEYS) as f:
        official = json.load(f)
    # 12,793,003 parameters in the official ts_micro(num_classes=5)
    assert official['official_num_parameters'] == 12_793_003
    shapes = {
        k: v
        for k, v in official['shapes'].items() if k not in official['buffers']
    }
    assert sum(torch.Size(s).numel() for s in shapes.values()) == 12_793_003
    unused = sum(
        torch.Size(s).numel() for k, s in shapes.items()
        if k.startswith(UNUSED))
    assert unused == 512 + (5 * 512 + 5) + (512 + 1)

    model = build_paper()
    ours = sum(p.numel() for p in model.parameters())
    print(f'TSFmicro paper size, 5 classes: {ours:,} parameters '
          f'(official {official["official_num_parameters"]:,} incl. '
          f'{unused:,} unused)')
    assert ours == 12_793_003 - unused == 12_789_413


def test_forward_backward_at_224_on_cpu():
    model = build_paper()
    model.init_weights()
    torch.manual_seed(1)
    data = model.data_preprocessor(
        dict(
            inputs=[
                torch.randint(0, 256, (1, 3, 2, 224, 224), dtype=torch.uint8)
                for _ in range(2)
            ],
            data_samples=[ActionDataSample().set_gt_label(i) for i in (0, 3)]
        ),
        training=True)
    model.train()
    feats, _ = model.extract_feat(data['inputs'])
    assert feats.shape == (2, 512, 1, 14, 14)
    losses = model.cls_head.loss(feats, data['data_samples'])
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    for name in ('backbone.stem.0.conv.weight',
                 'backbone.stages.3.blocks.0.attn.q_proj.weight',
                 'backbone.spatial.blocks.1.attn.qkv.weight',
                 'cls_head.fc_cls.weight'):
        grad = model.get_parameter(name).grad
        assert grad is not None and grad.abs().sum() > 0, name


def test_paper_backbone_with_mmaction_i3d_head():
    cfg = Config.fromfile(PAPER)
    cfg.model.cls_head = dict(type='I3DHead', num_classes=5, in_channels=512,
                              average_clips='prob')
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    data = model.data_preprocessor(
        dict(inputs=[torch.randint(0, 256, (1, 3, 2, 224, 224),
                                   dtype=torch.uint8)],
             data_samples=[ActionDataSample().set_gt_label(2)]))
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert out[0].pred_score.shape == (5, )
    assert abs(out[0].pred_score.sum().item() - 1) < 1e-5
