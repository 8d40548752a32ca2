"""MMNet: the authors' layout of tensors (their state_dict's names and
shapes, recorded), the CA block and the attention chain against their
definitions written out, the PC branch's resize, and the model in
MMAction2's Recognizer3D."""
import json
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction.registry import MODELS
from mmaction_tsfmicro.models.backbones.mmnet import MMNet
from mmaction_tsfmicro.models.heads.mmnet_head import MMNetHead
from mmaction_tsfmicro.models.official_mmnet import (MMNET_CASME2_CLASSES,
                                                     convert_mmnet_state_dict,
                                                     mmnet_official_key)

KEYS = osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'data',
                'official_mmnet_keys.json')


def recorded_state_dict():
    """The authors' state_dict with random values of the recorded shapes."""
    torch.manual_seed(0)
    return {k: torch.randn(s) if s else torch.tensor(3)
            for k, s in json.load(open(KEYS))['keys'].items()}


def test_the_authors_state_dict_converts_key_for_key():
    """Every tensor the authors' forward uses has its place, with its shape,
    in the plugin's backbone and head (a strict load); the ones it never
    uses are dropped: 9,438,841 parameters on both sides."""
    official = recorded_state_dict()
    backbone, head = MMNet(), MMNetHead(5, 512, 14)
    ours, theirs = convert_mmnet_state_dict(official)
    backbone.load_state_dict(ours, strict=True)
    head.load_state_dict(theirs, strict=True)
    assert torch.equal(backbone.stages[3][0].downsample[0].weight,
                       official['main_branch.layer4.0.downsample.0.weight'])
    assert torch.equal(backbone.position.blocks[1].ffn.layers[1].weight,
                       official['vit_pos.blocks.1.mlp.fc2.weight'])
    dropped = {k for k in official if mmnet_official_key(k) is None
               and not k.startswith('main_branch.fc.')}
    assert dropped == {'timeembed', 'pos.0.weight', 'pos.1.weight',
                       'pos.1.bias', 'pos.1.running_mean',
                       'pos.1.running_var', 'pos.1.num_batches_tracked',
                       'head.1.weight', 'vit_pos.cls_token',
                       'vit_pos.head.weight', 'vit_pos.head.bias',
                       'vit_pos.to_Mask.0.weight', 'vit_pos.to_Mask.0.bias'}
    assert sum(p.numel() for p in backbone.parameters()) + sum(
        p.numel() for p in head.parameters()) == 9438841
    # DataParallel's prefix, a foreign key, the class order
    prefixed = {f'module.{k}': v for k, v in official.items()}
    assert convert_mmnet_state_dict(prefixed)[0].keys() == ours.keys()
    with pytest.raises(KeyError, match='main_branch.layer9x.weight: not a '
                       'tensor of the authors'):
        convert_mmnet_state_dict({'main_branch.layer9x.weight': 0})
    classes = ('others', 'disgust', 'happiness', 'repression', 'surprise')
    _, reordered = convert_mmnet_state_dict(official, classes)
    for row, name in enumerate(classes):
        assert torch.equal(reordered['fc_cls.weight'][row],
                           theirs['fc_cls.weight'][
                               MMNET_CASME2_CLASSES.index(name)])
    with pytest.raises(ValueError, match='are not the authors'):
        convert_mmnet_state_dict(official, ('happiness', 'fear'))


def test_attention_chain_and_position_follow_the_definitions():
    """Each stage's map is weighted by sigmoid(bn(conv([mean, max]))),
    times the previous stage's map max-pooled (3, 2, 1); the PC branch sees
    the onset resized with antialiasing (torchvision's tensor Resize)."""
    torch.manual_seed(0)
    model = MMNet('tiny').eval()
    x = torch.randn(2, 3, 2, 112, 112)
    onset, apex = x[:, :, 0], x[:, :, 1]
    with torch.no_grad():
        feat = model.motion_stem(apex - onset)
        prior = None
        for stage in model.stages:
            (block, ) = stage
            out = F.relu(block.bn1(block.conv1(feat)))
            out = block.bn2(block.conv2(out))
            identity = feat if block.downsample is None \
                else block.downsample(feat)
            out = F.relu(out + identity)
            attn = block.attn(torch.cat(
                [out.mean(1, keepdim=True), out.max(1, keepdim=True)[0]], 1))
            if prior is not None:
                attn = attn * F.max_pool2d(prior, 3, 2, 1)
            feat, prior = out * attn, attn
        resized = F.interpolate(onset, size=(7, 7), mode='bilinear',
                                align_corners=False, antialias=True)
        expected = feat + model.position(resized)
        got = model(x)
    assert got.shape == (2, 64, 7, 7)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)


def test_shapes_and_bad_settings():
    model = MMNet('tiny', channels=[16, 16, 32], depths=[1, 2, 1])
    assert model.grid_size == (14, 14) and model.out_channels == 32
    assert model(torch.randn(1, 3, 2, 112, 112)).shape == (1, 32, 14, 14)
    assert model.stages[1][1].conv1.groups == 4
    with pytest.raises(ValueError, match=r'expects \(N, C, T=2, H, W\)'):
        model(torch.randn(1, 3, 112, 112))
    with pytest.raises(ValueError, match='input_size 100 is not a multiple '
                       'of 16'):
        MMNet('tiny', input_size=100)
    with pytest.raises(ValueError, match='depths has 3 entries for 4'):
        MMNet('tiny', depths=[1, 1, 1])
    with pytest.raises(ValueError, match="unknown arch 'huge'"):
        MMNet('huge')
    with pytest.raises(ValueError, match=r'MMNetHead expects \(N, 64, 7, 7\)'
                       r' maps, got \(1, 64, 14, 14\)'):
        MMNetHead(5, 64, 7)(torch.randn(1, 64, 14, 14))


def test_recognizer3d_trains_and_predicts():
    from mmaction.structures import ActionDataSample
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model = MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='MMNet', arch='tiny'),
        cls_head=dict(type='MMNetHead', num_classes=5, in_channels=64,
                      grid_size=7, average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCTHW')))
    model.init_weights()
    inputs = [torch.rand(1, 3, 2, 112, 112) * 255 for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(4)]
    data = model.data_preprocessor(dict(inputs=inputs,
                                        data_samples=samples), True)
    losses = model(**data, mode='loss')
    losses['loss_cls'].backward()
    assert model.backbone.stages[0][0].attn[0].weight.grad.abs().sum() > 0
    assert model.backbone.position.pos_embed.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        preds = model(**model.data_preprocessor(
            dict(inputs=inputs, data_samples=samples), False),
            mode='predict')
    scores = torch.stack([p.pred_score for p in preds])
    assert scores.shape == (4, 5)
    torch.testing.assert_close(scores.sum(1), torch.ones(4))


@pytest.mark.parametrize('name,classes,ratio,epochs,decay', [
    ('mmnet_1xb32-74e_casme2', 5, 0.15 / 4, 74, 0.6),
    ('mmnet_1xb32-74e_samm', 5, 0.1, 74, 0.6),
    ('mmnet_1xb32-74e_casme3', 7, 0.15 / 4, 74, 0.6),
    ('mmnet_1xb32-99e_megc2019', 3, 0.15 / 4, 99, 0.7),
    ('mmnet-tiny_1xb32-30e_demo', 5, 0.15 / 4, 30, 0.05),
])
def test_each_config_is_the_recipe_it_names(name, classes, ratio, epochs,
                                            decay):
    """The data set's classes and pair window, the authors' random training
    pair, epochs and weight decay; the model builds and scores a pair of
    the configured size."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
    cfg = Config.fromfile(osp.join(root, 'configs', 'mmnet', name + '.py'))
    pair = cfg.train_dataloader.dataset.pipeline[0]
    assert pair == dict(type='SelectFramePair', mode='jitter', ratio=ratio)
    assert cfg.test_dataloader.dataset.pipeline[0]['mode'] == 'annotated'
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.optim_wrapper.optimizer.weight_decay == decay
    assert cfg.model.cls_head.num_classes == classes
    model = MODELS.build(cfg.model).eval()
    size = model.backbone.arch_settings['input_size']
    with torch.no_grad():
        feats = model(torch.randn(1, 1, 3, 2, size, size), mode='tensor')
        scores = model.cls_head(feats)
    assert scores.shape == (1, classes)
