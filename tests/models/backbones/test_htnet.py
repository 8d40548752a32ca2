"""HTNet: the authors' layout of tensors (their state_dict's names and
shapes, recorded), the operations against einops' definitions, and the
model in MMAction2's Recognizer2D."""
import json
import os.path as osp

import pytest
import torch
from einops import rearrange

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import MODELS
from mmaction_tsfmicro.models.backbones.htnet import (HTNet, MapAttention,
                                                      from_blocks, to_blocks)
from mmaction_tsfmicro.models.heads.htnet_head import HTNetHead
from mmaction_tsfmicro.models.official_htnet import (htnet_official_head_key,
                                                     htnet_official_key)

KEYS = osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'data',
                'official_htnet_keys.json')


def test_the_authors_state_dict_converts_key_for_key():
    """Every tensor of the authors' model (28 x 28, patch 7, dim 256,
    3 heads, 3 levels, (2, 2, 10) blocks, 3 classes) has its place, with
    its shape, in the plugin's backbone and head: 139,582,982 parameters
    on both sides."""
    official = json.load(open(KEYS))['keys']
    backbone, head = HTNet(), HTNetHead(3, 1024)
    ours = {f'b.{k}': list(v.shape) for k, v in
            backbone.state_dict().items()}
    ours.update({f'h.{k}': list(v.shape) for k, v in
                 head.state_dict().items()})
    converted = {}
    for key, shape in official.items():
        name = htnet_official_key(key)
        name = f'b.{name}' if name else f'h.{htnet_official_head_key(key)}'
        assert name in ours, key
        converted[name] = shape
    assert converted == ours
    total = sum(torch.Size(s).numel() for s in official.values())
    assert total == 139582982
    assert sum(p.numel() for p in backbone.parameters()) + sum(
        p.numel() for p in head.parameters()) == total
    assert htnet_official_key('mlp_head.2.weight') is None
    assert htnet_official_head_key('layers.0.1.0.weight') is None


def test_patches_blocks_and_heads_follow_einops_definitions():
    x = torch.randn(2, 3, 28, 28)
    backbone = HTNet(dim=8, heads=2, block_repeats=1)
    expected = backbone.patch_embed(rearrange(
        x, 'b c (h p1) (w p2) -> b (p1 p2 c) h w', p1=7, p2=7))
    assert torch.equal(backbone.embed(x), expected)
    m = torch.randn(3, 5, 8, 8)
    blocks = to_blocks(m, 4)
    assert torch.equal(blocks, rearrange(
        m, 'b c (b1 h) (b2 w) -> (b b1 b2) c h w', b1=4, b2=4))
    assert torch.equal(from_blocks(blocks, 4), m)
    # attention: heads are contiguous channel groups, positions row-major
    attn = MapAttention(12, heads=3).eval()
    y = torch.randn(2, 12, 3, 4)
    q, k, v = (rearrange(t, 'b (h d) x y -> b h (x y) d', h=3)
               for t in attn.qkv(y).chunk(3, dim=1))
    weights = (torch.einsum('bhid,bhjd->bhij', q, k) * 4**-0.5).softmax(-1)
    out = rearrange(torch.einsum('bhij,bhjd->bhid', weights, v),
                    'b h (x y) d -> b (h d) x y', x=3, y=4)
    torch.testing.assert_close(attn(y), attn.proj(out), rtol=0, atol=1e-6)


def test_shapes_and_bad_settings():
    backbone = HTNet(image_size=32, patch_size=2, dim=8, heads=2,
                     block_repeats=(1, 2, 1))
    assert backbone(torch.randn(2, 3, 32, 32)).shape == (2, 32, 4, 4)
    assert backbone.out_channels == 32
    with pytest.raises(ValueError, match='takes 32 x 32 inputs, got 28'):
        backbone(torch.randn(1, 3, 28, 28))
    with pytest.raises(ValueError, match='not a multiple of patch_size 5'):
        HTNet(image_size=28, patch_size=5)
    with pytest.raises(ValueError, match='cannot be cut into 4 x 4 blocks'):
        HTNet(image_size=28, patch_size=14)
    with pytest.raises(ValueError, match='block_repeats has 2 entries for '
                       '3 levels'):
        HTNet(block_repeats=(1, 1))


def test_recognizer2d_trains_and_predicts():
    from mmaction.structures import ActionDataSample
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model = MODELS.build(dict(
        type='Recognizer2D',
        backbone=dict(type='HTNet', dim=8, heads=2, block_repeats=1),
        cls_head=dict(type='HTNetHead', num_classes=5, in_channels=32,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCHW')))
    inputs = [torch.randn(1, 3, 28, 28) for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(4)]
    data = model.data_preprocessor(dict(inputs=inputs,
                                        data_samples=samples), True)
    losses = model(**data, mode='loss')
    assert losses['loss_cls'].requires_grad
    losses['loss_cls'].backward()
    model.eval()
    with torch.no_grad():
        preds = model(**model.data_preprocessor(
            dict(inputs=inputs, data_samples=samples), False),
            mode='predict')
    scores = torch.stack([p.pred_score for p in preds])
    assert scores.shape == (4, 5)
    torch.testing.assert_close(scores.sum(1), torch.ones(4))


@pytest.mark.parametrize('name,classes,data', [
    ('htnet_1xb256-800e_casme2', 5, 'casme2'),
    ('htnet_1xb256-800e_samm', 5, 'samm'),
    ('htnet_1xb256-800e_casme3', 7, 'casme3'),
    ('htnet_1xb256-800e_megc2019', 3, 'megc2019'),
])
def test_each_data_set_config_is_the_authors_recipe(name, classes, data):
    """The authors' model and schedule (Adam, lr 5e-5, constant, batch 256,
    800 epochs) on the data set's annotation, its flow folder and the
    region tiles; the pipelines load the flow, then tile."""
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
    cfg = Config.fromfile(osp.join(root, 'configs', 'htnet', name + '.py'))
    assert cfg.model.backbone == dict(
        type='HTNet', image_size=28, patch_size=7, dim=256, heads=3,
        num_hierarchies=3, block_repeats=(2, 2, 10))
    assert cfg.model.cls_head.num_classes == classes
    assert cfg.model.cls_head.in_channels == 1024
    assert cfg.train_dataloader.batch_size == 256
    assert cfg.train_cfg.max_epochs == 800 and cfg.param_scheduler == []
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=5e-5,
                                               weight_decay=0.)
    for split in ('train_dataloader', 'test_dataloader'):
        dataset = cfg[split].dataset
        types = [t['type'] for t in dataset.pipeline]
        assert types[:2] == ['LoadFlow', 'FacialRegionTiles'], name
        assert dataset.pipeline[0]['size'] == 28
        # the data set's own annotation file
        assert f'annotations/{data}' in str(dataset), name
