"""TSFmicro inside MMAction2's Recognizer3D (tiny config), with its own
head and with MMAction2's I3DHead."""
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_tsfmicro.plugin  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'configs', '_base_', 'models', 'tsfmicro_tiny.py')


def build(cfg_path=TINY, **head):
    cfg = Config.fromfile(cfg_path)
    if head:
        cfg.model.cls_head = head
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def batch(n=4, size=112):
    """Packed samples as the pipeline gives them: uint8 (1, 3, 2, H, W)."""
    torch.manual_seed(1)
    inputs = [
        torch.randint(0, 256, (1, 3, 2, size, size), dtype=torch.uint8)
        for _ in range(n)
    ]
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_tiny_config_builds_the_tiny_model():
    model = build()
    assert model.backbone.arch_settings['input_size'] == 112
    assert model.backbone.out_channels == 64
    assert model.cls_head.hidden_channels == 256
    assert model.cls_head.num_classes == 5
    n = sum(p.numel() for p in model.parameters())
    assert 100_000 < n < 200_000


def test_train_step_and_predict():
    model = build()
    data = model.data_preprocessor(batch(), training=True)
    assert data['inputs'].shape == (4, 1, 3, 2, 112, 112)
    # normalized with the ImageNet mean/std
    assert data['inputs'].abs().max() < 3
    model.train()
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_cls', 'top1_acc'}
    losses['loss_cls'].backward()
    assert model.backbone.stem[0].conv.weight.grad.abs().sum() > 0
    assert model.backbone.spatial.patch_embed.weight.grad.abs().sum() > 0

    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch()), mode='predict')
    assert len(out) == 4
    for sample in out:
        assert sample.pred_score.shape == (5, )
        assert sample.pred_score.sum().item() == pytest.approx(1, abs=1e-5)


def test_runs_with_mmaction_i3d_head():
    model = build(
        type='I3DHead', num_classes=5, in_channels=64, spatial_type='avg',
        dropout_ratio=0.5, average_clips='prob')
    assert type(model.cls_head).__name__ == 'I3DHead'
    data = model.data_preprocessor(batch(), training=True)
    model.train()
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    assert model.backbone.spatial.pos_embed.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        feats, _ = model.extract_feat(data['inputs'], test_mode=True)
        out = model(**model.data_preprocessor(batch()), mode='predict')
    assert feats.shape == (4, 64, 1, 7, 7)
    assert [s.pred_score.shape for s in out] == [(5, )] * 4


@pytest.mark.parametrize('fusion, mode', [('early', 'sum'), ('t2s', 'sum'),
                                          ('s2t', 'sum'), ('late', 'concat'),
                                          ('late', 'gated')])
def test_fusion_variants_in_the_recognizer(fusion, mode):
    cfg = Config.fromfile(TINY)
    cfg.model.backbone.fusion = fusion
    cfg.model.neck.mode = mode
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    data = model.data_preprocessor(batch(n=2))
    with torch.no_grad():
        feats, _ = model.extract_feat(data['inputs'], test_mode=True)
        scores = model.cls_head(feats)
    assert feats.shape == (2, 64, 1, 7, 7)
    assert scores.shape == (2, 5)


@pytest.mark.parametrize('head', [
    dict(type='I3DHead', num_classes=5, in_channels=64),
    dict(type='TSFmicroHead', num_classes=5, in_channels=64),
])
def test_without_the_neck_a_head_refuses_in_one_line(head):
    """Without TimeSpaceFusion, MMAction2's Recognizer3D hands the
    backbone's tuple to the head: training and prediction stop with one
    line that says which neck to add."""
    cfg = Config.fromfile(TINY)
    cfg.model.pop('neck')
    cfg.model.cls_head = head
    init_default_scope('mmaction')
    model = MODELS.build(cfg.model)
    message = ("TSFmicro returns the (temporal, spatial) maps for the "
               "TimeSpaceFusion neck; MMAction2's heads need one tensor: add "
               "neck=dict(type='TimeSpaceFusion', in_channels=64) to the "
               'model (its (N, C, 1, h, w) output suits the 3-D heads too)')
    for mode, training in (('loss', True), ('predict', False)):
        model.train(training)
        data = model.data_preprocessor(batch(n=2), training=training)
        with pytest.raises((AttributeError, TypeError)) as info:
            model(**data, mode=mode)
        assert str(info.value) == message
