import copy
import json
import os

import cv2
import numpy as np
import pytest
import torch

from mmaction_tsfmicro.explain.commands import (class_index, embed_fold,
                                                embedding_title,
                                                explain_samples, picture_name)


@pytest.fixture(scope='module')
def checkpoint(trained, tmp_path_factory):
    path = tmp_path_factory.mktemp('ckpt') / 'trained.pth'
    torch.save({'state_dict': trained['model'].state_dict(), 'meta': {}},
               str(path))
    return str(path)


@pytest.fixture(scope='module')
def work_dir(blob_data, checkpoint, tmp_path_factory):
    """A LOSO work dir of two folds: sub02's with the trained weights at
    epoch 3 (and an older epoch 1), sub01's with epoch 1."""
    root = tmp_path_factory.mktemp('loso')
    (root / 'loso_plan.json').write_text(
        json.dumps(dict(subjects=['sub01', 'sub02', 'sub03'])))
    state = torch.load(checkpoint, map_location='cpu')
    for subject, epochs in (('sub01', [1]), ('sub02', [1, 3])):
        folder = root / f'fold_{subject}'
        folder.mkdir()
        cfg = copy.deepcopy(blob_data['moving']['cfg'])
        cfg.test_dataloader.dataset.test_subjects = [subject]
        cfg.dump(str(folder / 'fold_config.py'))
        for epoch in epochs:
            torch.save(state, str(folder / f'epoch_{epoch}.pth'))
    return str(root)


def test_each_sample_gets_a_picture(blob_data, checkpoint, tmp_path):
    cfg = blob_data['moving']['cfg']
    done = explain_samples(cfg, checkpoint, ['sub02/EP01_00', 'sub03/EP04_00'],
                           str(tmp_path), device='cpu', steps=4)
    assert [d.sample for d in done] == ['sub02/EP01_00', 'sub03/EP04_00']
    assert sorted(os.listdir(tmp_path)) == ['sub02_EP01_00.png',
                                            'sub03_EP04_00.png']
    for d in done:
        image = cv2.imread(d.path)
        assert image.shape == (480, 800, 3)
        assert d.predicted == d.target  # the predicted class by default
        assert d.gradcam.temporal.shape == (1, 64, 64)
        assert d.integrated.gains.shape == (1, 2)
    assert done[0].label == 'disgust' and done[1].label == 'others'


def test_a_chosen_class_is_explained_and_named(blob_data, checkpoint,
                                               tmp_path):
    done = explain_samples(blob_data['moving']['cfg'], checkpoint,
                           ['sub01/EP00_00'], str(tmp_path),
                           target_class='surprise', steps=2)
    assert done[0].target == 'surprise'
    assert done[0].gradcam.target.tolist() == [3]
    assert done[0].integrated.target.tolist() == [3]
    assert os.listdir(tmp_path) == ['sub01_EP00_00_surprise.png']


def test_bad_names_are_refused_before_the_model_is_built(blob_data,
                                                         tmp_path):
    cfg = blob_data['moving']['cfg']
    with pytest.raises(ValueError, match="unknown class 'fear'; the classes: "
                       'happiness, disgust, repression, surprise, others'):
        explain_samples(cfg, str(tmp_path / 'no.pth'), ['sub01/EP00_00'],
                        str(tmp_path), target_class='fear')
    with pytest.raises(ValueError, match='subject sub01 has the clips'):
        explain_samples(cfg, str(tmp_path / 'no.pth'),
                        ['sub01/EP00_00', 'sub01/nope'], str(tmp_path))
    assert not os.listdir(tmp_path)


def test_picture_names_and_classes():
    assert picture_name('casme2/sub01/EP02_01f') == 'casme2_sub01_EP02_01f.png'
    assert picture_name('spNO.1/e_62', 'happy') == 'spNO.1_e_62_happy.png'
    assert picture_name('a b/c') == 'a_b_c.png'
    assert class_index(['a', 'b'], None) is None
    assert class_index(['a', 'b'], 'b') == 1


def test_the_fold_model_embeds_every_sample_once(work_dir, tmp_path):
    out = tmp_path / 'tsne.png'
    done = embed_fold(work_dir, str(out), subject='sub02', device='cpu')
    assert done.checkpoint.endswith('fold_sub02/epoch_3.pth')
    image = cv2.imread(str(out))
    assert image.shape == (680, 800, 3)
    assert len(done.features.samples) == len(set(done.features.samples)) == 15
    assert done.coords.shape == (15, 2)
    assert done.held_out.sum() == 5
    assert {s for s, h in zip(done.features.subjects, done.held_out)
            if h} == {'sub02'}
    title = embedding_title(done.fold, done.checkpoint, done.features,
                            done.held_out)
    assert 'model of fold sub02 (epoch_3.pth)' in title
    assert 'stars: sub02, held out (unseen in training), 5 clips' in title
    assert 'the 2 training subjects, 10 clips' in title
    again = embed_fold(work_dir, str(tmp_path / 'again.png'),
                       subject='sub02')
    np.testing.assert_array_equal(done.coords, again.coords)


def test_the_first_fold_is_the_default(work_dir, tmp_path):
    done = embed_fold(work_dir, str(tmp_path / 't.png'))
    assert done.fold.subject == 'sub01'
    assert done.checkpoint.endswith('fold_sub01/epoch_1.pth')


def test_config_changes_are_checked(work_dir, tmp_path):
    with pytest.raises(ValueError, match="--cfg-options nothing=1: .* has "
                       "no key 'nothing'"):
        embed_fold(work_dir, str(tmp_path / 't.png'),
                   cfg_options={'nothing': 1})
    with pytest.raises(ValueError, match="no fold of subject 'sub03'; the "
                       'folds: sub01, sub02'):
        embed_fold(work_dir, str(tmp_path / 't.png'), subject='sub03')
    assert not os.listdir(tmp_path)
