import os

import cv2
import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose

from mmaction_tsfmicro.datasets.transforms import SelectKeyFrames


def test_frame_inds_follow_the_roles():
    out = SelectKeyFrames(('apex', 'onset', 'offset'))(
        dict(onset_frame=3, apex_frame=9, offset_frame=12))
    assert out['frame_inds'].tolist() == [9, 3, 12]
    assert out['clip_len'] == 3 and out['num_clips'] == 1
    # the annotation file's names work too, and a single role as a string
    assert SelectKeyFrames('apex')(dict(onset=1, apex=4))[
        'frame_inds'].tolist() == [4]


def test_apex_alone_gives_an_nchw_input(tmp_path):
    folder = tmp_path / 'sub01' / 'EP01'
    os.makedirs(folder)
    for frame in (5, 8):
        cv2.imwrite(str(folder / f'img{frame}.png'),
                    np.full((6, 4, 3), frame * 10, np.uint8))
    pipeline = Compose([
        TRANSFORMS.build(dict(type='SelectKeyFrames', roles=('apex', ))),
        TRANSFORMS.build(dict(type='LoadFramePair')),
        TRANSFORMS.build(dict(type='FormatShape', input_format='NCHW')),
        TRANSFORMS.build(dict(type='PackActionInputs')),
    ])
    packed = pipeline(dict(frame_dir=str(folder), filename_tmpl='img{}.png',
                           onset_frame=5, apex_frame=8, label=0))
    assert tuple(packed['inputs'].shape) == (1, 3, 6, 4)
    assert int(packed['inputs'].max()) == int(packed['inputs'].min()) == 80


def test_bad_roles():
    with pytest.raises(ValueError, match=r"roles must be a non-empty list of "
                       r"\['onset', 'apex', 'offset'\], got \['peak'\]"):
        SelectKeyFrames(('peak', ))
    with pytest.raises(KeyError, match='no offset frame'):
        SelectKeyFrames(('offset', ))(dict(onset_frame=1, apex_frame=2))
