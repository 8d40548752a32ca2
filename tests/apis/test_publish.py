"""Released checkpoints: hash-named, stripped, verified, and predicting
what the checkpoint they came from predicts."""
import os
import os.path as osp
import re

import pytest
import torch

from mmaction_tsfmicro.apis.publish import (preprocessing_from_report,
                                            publish_checkpoint)
from mmaction_tsfmicro.apis.release_check import same_predictions
from mmaction_tsfmicro.engine.checkpoint import (CheckpointError,
                                                 read_checkpoint)
from mmaction_tsfmicro.utils.fileio import write_json
from .conftest import CLASSES


def test_publish_strips_and_names_by_hash(runner_checkpoint, tmp_path):
    report = tmp_path / 'preprocess_report.json'
    write_json(str(report), dict(detector='mediapipe', max_shift=10.0,
                                 target=dict(size=112, eye_y=0.36,
                                             eye_dist=0.32, nose_y=0.58,
                                             use_nose=False)))
    prep = preprocessing_from_report(str(report))
    path = publish_checkpoint(runner_checkpoint, str(tmp_path / 'rel' / 'm'),
                              prep, dict(description='tiny'))
    name = os.path.basename(path)
    assert re.fullmatch(r'm-[0-9a-f]{8}\.pth', name)
    assert os.listdir(tmp_path / 'rel') == [name]  # no temporary file
    ckpt = read_checkpoint(path)
    assert set(ckpt) == {'state_dict', 'meta'}  # no optimizer, hub
    meta = ckpt['meta']
    assert meta['classes'] == CLASSES and meta['description'] == 'tiny'
    assert meta['preprocessing'] == dict(
        alignment=dict(size=112, eye_y=0.36, eye_dist=0.32, nose_y=0.58,
                       use_nose=False), detector='mediapipe', max_shift=10.0)
    assert meta['published_from'] == 'epoch_2.pth' and 'cfg' in meta
    original = torch.load(runner_checkpoint, weights_only=False)
    for key, value in original['state_dict'].items():
        assert torch.equal(ckpt['state_dict'][key], value), key
    # the release predicts exactly what the checkpoint predicts
    assert same_predictions(runner_checkpoint, path) == 0.0


def test_a_changed_release_is_refused(runner_checkpoint, tmp_path):
    path = publish_checkpoint(runner_checkpoint, str(tmp_path / 'm.pth'))
    data = bytearray(open(path, 'rb').read())
    data[-20] ^= 0xFF
    with open(path, 'wb') as f:
        f.write(data)
    with pytest.raises(CheckpointError, match=r"SHA-256 begins [0-9a-f]{8}, "
                       r'not [0-9a-f]{8} as its name says'):
        read_checkpoint(path)


def test_a_folder_as_the_release_name_is_refused(runner_checkpoint,
                                                 tmp_path):
    zoo = tmp_path / 'zoo'
    zoo.mkdir()
    for out in (str(zoo) + '/', str(zoo)):
        with pytest.raises(CheckpointError) as err:
            publish_checkpoint(runner_checkpoint, out)
        stem = osp.splitext(osp.basename(runner_checkpoint))[0]
        assert str(err.value) == (
            f'{out}: a folder; give the release a name in it, e.g. '
            f'{osp.join(out, stem)}')
    assert list(zoo.iterdir()) == []  # nothing written


def test_bad_sources_are_named(tmp_path):
    with pytest.raises(CheckpointError, match='nope.pth: checkpoint not'):
        publish_checkpoint(str(tmp_path / 'nope.pth'), str(tmp_path / 'x'))
    plain = tmp_path / 'plain.pth'
    torch.save(dict(state_dict={}, meta={}), plain)
    with pytest.raises(CheckpointError, match='names no classes'):
        publish_checkpoint(str(plain), str(tmp_path / 'x'))
    report = tmp_path / 'r.json'
    write_json(str(report), dict(clips=[]))
    with pytest.raises(CheckpointError, match="not a preprocess_faces.py run "
                       "report \\(no 'target'\\)"):
        preprocessing_from_report(str(report))
