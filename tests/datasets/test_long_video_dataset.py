"""LongVideoDataset: windows of long videos and their per-frame labels."""
import os.path as osp

import cv2
import numpy as np
import pytest
from mmaction.registry import DATASETS

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.annotations import write_annotation_file

LAYOUT = 'rawpic/{subject}/{clip}/img{frame}.jpg'
CLASSES = ['happiness', 'surprise']
PIPELINE = [
    dict(type='RawFrameDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=('spot_labels',
                                                  'class_labels'),
         meta_keys=('video', 'frame_inds', 'gt_spans'))
]


@pytest.fixture(scope='module')
def long_set(tmp_path_factory):
    """Two subjects: s01 with a 40-frame video holding two expressions and
    a 25-frame one holding none; s02 with one 30-frame video."""
    root = str(tmp_path_factory.mktemp('long_set'))
    videos = [dict(subject='s01', video='01_0101demo1', num_frames=40,
                   first_frame=1),
              dict(subject='s01', video='01_0102demo2', num_frames=25,
                   first_frame=1),
              dict(subject='s02', video='02_0101demo1', num_frames=30,
                   first_frame=1)]
    for v in videos:
        for n in range(1, v['num_frames'] + 1):
            path = osp.join(root, LAYOUT.format(subject=v['subject'],
                                                clip=v['video'], frame=n))
            if n == 1:
                import os
                os.makedirs(osp.dirname(path))
            cv2.imwrite(path, np.full((8, 8, 3), n, np.uint8))
    records = [
        dict(dataset='demo_long', subject='s01', clip='demo1_1',
             clip_dir='01_0101demo1', onset=5, apex=7, offset=11,
             emotion='happiness', label=0),
        dict(dataset='demo_long', subject='s01', clip='demo1_2',
             clip_dir='01_0101demo1', onset=30, apex=31, offset=34,
             emotion='surprise', label=1),
        dict(dataset='demo_long', subject='s02', clip='demo1_1',
             clip_dir='02_0101demo1', onset=10, apex=12, offset=16,
             emotion='surprise', label=1)]
    ann = osp.join(root, 'spotting.json')
    write_annotation_file(ann, records, dict(classes=CLASSES, layout=LAYOUT,
                                             fps=30.0, videos=videos))
    return root, ann


def build(long_set, **kwargs):
    root, ann = long_set
    cfg = dict(type='LongVideoDataset', ann_file=ann,
               data_prefix=dict(img=root), pipeline=PIPELINE)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_windows_cover_every_video_to_its_end(long_set):
    ds = build(long_set, clip_len=16, stride=10, test_mode=True)
    starts = [(ds.get_data_info(i)['video'], ds.get_data_info(i)['start'])
              for i in range(len(ds))]
    assert starts == [('s01/01_0101demo1', 1), ('s01/01_0101demo1', 11),
                      ('s01/01_0101demo1', 21), ('s01/01_0101demo1', 25),
                      ('s01/01_0102demo2', 1), ('s01/01_0102demo2', 10),
                      ('s02/02_0101demo1', 1), ('s02/02_0101demo1', 11),
                      ('s02/02_0101demo1', 15)]
    assert ds.subjects == ['s01', 's02']
    assert ds.metainfo['classes'] == CLASSES


def test_per_frame_labels_include_onset_and_offset(long_set):
    ds = build(long_set, clip_len=16, stride=10, test_mode=True)
    info = ds.get_data_info(0)  # frames 1..16 of the first video
    np.testing.assert_array_equal(info['frame_inds'], np.arange(1, 17))
    expected = np.zeros(16)
    expected[4:11] = 1  # frames 5..11
    np.testing.assert_array_equal(info['spot_labels'], expected)
    assert info['class_labels'][4] == 0 and info['class_labels'][11] == -1
    assert info['gt_spans'] == [[5, 11, 0], [30, 34, 1]]
    packed = ds[0]
    assert packed['inputs'].shape == (1, 3, 16, 8, 8)
    # frame n was written with value n: the right frames are read
    assert packed['inputs'][0, 0, :, 0, 0].tolist() == list(range(1, 17))
    sample = packed['data_samples']
    assert sample.video == 's01/01_0101demo1'
    np.testing.assert_array_equal(sample.spot_labels, expected)


def test_whole_videos_subjects_and_frame_interval(long_set):
    ds = build(long_set, whole_videos=True, test_subjects=['s02'],
               test_mode=True)
    assert len(ds) == 1 and ds.subjects == ['s02']
    info = ds.get_data_info(0)
    np.testing.assert_array_equal(info['frame_inds'], np.arange(1, 31))
    assert int(info['spot_labels'].sum()) == 7
    ds = build(long_set, clip_len=8, frame_interval=3, stride=40,
               exclude_subjects=['s02'], test_mode=True)
    info = ds.get_data_info(0)
    np.testing.assert_array_equal(info['frame_inds'],
                                  1 + 3 * np.arange(8))


def test_training_windows_move_within_the_video(long_set):
    ds = build(long_set, clip_len=16, stride=10)
    assert ds.random_shift
    np.random.seed(0)
    starts = {ds.get_data_info(1)['frame_inds'][0] for _ in range(50)}
    assert starts <= set(range(6, 17)) and len(starts) > 3
    last = {ds.get_data_info(3)['frame_inds'][-1] for _ in range(20)}
    assert max(last) <= 40


def test_missing_frames_and_bad_files(long_set, tmp_path):
    root, ann = long_set
    with pytest.raises(FileNotFoundError, match='lacks frame 1'):
        DATASETS.build(dict(type='LongVideoDataset', ann_file=ann,
                            data_prefix=dict(img=str(tmp_path)),
                            clip_len=16, pipeline=[]))
    plain = str(tmp_path / 'plain.json')
    write_annotation_file(plain, [], dict(classes=CLASSES))
    with pytest.raises(KeyError, match='not a spotting file'):
        DATASETS.build(dict(type='LongVideoDataset', ann_file=plain,
                            pipeline=[]))
    with pytest.raises(ValueError, match='fewer than a window'):
        build(long_set, clip_len=30)
