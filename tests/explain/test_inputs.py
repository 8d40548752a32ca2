import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmaction_tsfmicro.engine.checkpoint import CheckpointError
from mmaction_tsfmicro.explain.inputs import (build_test_dataset, class_names,
                                              default_device, find_sample,
                                              frame_pair, load_model,
                                              preprocess, sample_name,
                                              split_sample_name)
from .conftest import SIZE


def test_the_dataset_is_the_test_split_with_other_subjects(blob_data):
    cfg = blob_data['moving']['cfg']
    assert cfg.test_dataloader.dataset.test_subjects == ['sub01']
    dataset = build_test_dataset(cfg, ['sub02'])
    assert {dataset.get_data_info(i)['subject']
            for i in range(len(dataset))} == {'sub02'}
    assert len(build_test_dataset(cfg, None)) == 15
    # the config itself is untouched
    assert cfg.test_dataloader.dataset.test_subjects == ['sub01']
    assert class_names(dataset) == [
        'happiness', 'disgust', 'repression', 'surprise', 'others'
    ]


def test_samples_are_found_by_subject_and_clip(blob_data):
    dataset = build_test_dataset(blob_data['moving']['cfg'], ['sub02'])
    index = find_sample(dataset, 'sub02/EP03_00')
    info = dataset.get_data_info(index)
    assert (info['subject'], info['clip']) == ('sub02', 'EP03_00')
    assert sample_name(info) == 'sub02/EP03_00'
    subject, clip = split_sample_name('casme2/sub01/EP02_01f')
    assert (subject, clip) == ('casme2/sub01', 'EP02_01f')


def test_an_unknown_sample_names_the_known_ones(blob_data):
    dataset = build_test_dataset(blob_data['moving']['cfg'], ['sub02'])
    with pytest.raises(ValueError) as info:
        find_sample(dataset, 'sub02/EP09_00')
    assert str(info.value) == (
        "unknown sample 'sub02/EP09_00': subject sub02 has the clips "
        'EP00_00, EP01_00, EP02_00, EP03_00, EP04_00')
    with pytest.raises(ValueError, match=r'no subject .sub07.; known '
                       r'subjects: sub02'):
        find_sample(dataset, 'sub07/EP00_00')
    with pytest.raises(ValueError, match='SUBJECT/CLIP'):
        split_sample_name('EP00_00')


def test_an_unknown_subject_names_the_known_ones(blob_data):
    with pytest.raises(ValueError, match="unknown subject 'sub09' in "
                       'test_subjects; known subjects: sub01, sub02, sub03'):
        build_test_dataset(blob_data['moving']['cfg'], ['sub09'])


def test_the_input_is_what_the_test_pipeline_gives(blob_data):
    cfg = blob_data['moving']['cfg']
    dataset = build_test_dataset(cfg, ['sub01'])
    item = dataset[find_sample(dataset, 'sub01/EP01_00')]
    onset, apex = frame_pair(item)
    assert onset.shape == apex.shape == (SIZE, SIZE, 3)
    info = dataset.get_data_info(find_sample(dataset, 'sub01/EP01_00'))
    path = osp.join(info['frame_dir'],
                    info['filename_tmpl'].format(info['onset_frame']))
    rgb = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(onset, rgb)

    model = load_model(cfg, None, 'cpu')
    assert not model.training
    assert next(model.parameters()).dtype == torch.float32
    batch = preprocess(model, [item])
    inputs = batch['inputs']
    assert inputs.shape == (1, 1, 3, 2, SIZE, SIZE)
    mean = torch.tensor([123.675, 116.28, 103.53])
    std = torch.tensor([58.395, 57.12, 57.375])
    expected = (torch.from_numpy(onset).float() - mean) / std
    torch.testing.assert_close(inputs[0, 0, :, 0].permute(1, 2, 0), expected)


def test_checkpoints_must_exist_and_match(blob_data, tmp_path):
    cfg = blob_data['moving']['cfg']
    with pytest.raises(CheckpointError, match='checkpoint not found'):
        load_model(cfg, str(tmp_path / 'none.pth'), 'cpu')
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'backbone.x': torch.zeros(1)}}, str(bad))
    with pytest.raises(CheckpointError, match=r'another config \(backbone'):
        load_model(cfg, str(bad), 'cpu')
    model = load_model(cfg, None, 'cpu')
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(good))
    again = load_model(cfg, str(good), 'cpu')
    for key, value in model.state_dict().items():
        assert torch.equal(value, again.state_dict()[key])


def test_the_device_is_cuda_when_there_is_one():
    assert default_device() == ('cuda'
                                if torch.cuda.is_available() else 'cpu')
