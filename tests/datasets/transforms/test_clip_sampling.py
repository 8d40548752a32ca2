"""Which frames MMAction2's ``SampleFrames`` and ``SampleClipFrames`` load:
each generated frame carries its own frame number in its pixels (red =
number mod 256, green = number div 256, blue = 2 x number for the
interpolation check), so the test reads back which frame was loaded."""
import json
import os

import cv2
import numpy as np
import pytest
from mmaction.registry import DATASETS, TRANSFORMS
from mmcv.transforms import Compose

from mmaction_tsfmicro.datasets.transforms import SampleClipFrames
from mmaction_tsfmicro.datasets.transforms.clip_sampling import uniform_frames

LAYOUT = '{subject}/{clip}/f{frame:04d}.png'
# (clip, onset, apex, offset): CASME II-like numbers that do not start at 1
CLIPS = [('EP01', 46, 53, 61), ('EP02', 7, 9, 10)]


def number_frame(frame: int) -> np.ndarray:
    """An 8x6 RGB frame whose pixels spell ``frame`` (lossless PNG)."""
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[..., 0] = frame % 256
    rgb[..., 1] = frame // 256
    rgb[..., 2] = 2 * frame
    return rgb


def read_number(img: np.ndarray) -> int:
    """The frame number a loaded RGB frame spells."""
    assert (img == img[0, 0]).all()
    return int(img[0, 0, 0]) + 256 * int(img[0, 0, 1])


@pytest.fixture
def dataset(tmp_path):
    records = []
    for clip, onset, apex, offset in CLIPS:
        folder = tmp_path / 'sub01' / clip
        os.makedirs(folder)
        # one frame beyond each end, which must never be read
        for frame in range(onset - 1, offset + 2):
            cv2.imwrite(str(folder / f'f{frame:04d}.png'),
                        number_frame(frame)[..., ::-1])
        records.append(dict(dataset='casme2', subject='sub01', clip=clip,
                            onset=onset, apex=apex, offset=offset,
                            emotion='a', label=0))
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(dict(metainfo=dict(classes=['a']),
                                   data_list=records)))

    def build(pipeline):
        return DATASETS.build(dict(
            type='MicroExpressionDataset', ann_file=str(ann),
            data_prefix=dict(img=str(tmp_path)), layout=LAYOUT,
            pipeline=pipeline))

    return build


def test_samples_carry_total_frames_and_start_index(dataset):
    ds = dataset([])
    for i, (_, onset, _, offset) in enumerate(CLIPS):
        info = ds.get_data_info(i)
        assert info['total_frames'] == offset - onset + 1
        assert info['start_index'] == onset
        assert 'offset' not in info  # RawFrameDecode would shift by it


def test_mmaction2_sample_frames_reads_onset_to_offset(dataset):
    ds = dataset([
        dict(type='SampleFrames', clip_len=4, frame_interval=2,
             test_mode=True),
        dict(type='RawFrameDecode')
    ])
    out = ds[0]
    _, onset, _, offset = CLIPS[0]
    # test mode: the middle window of (4 - 1) * 2 + 1 = 7 frames
    start = onset + (offset - onset + 1 - 7) // 2
    expected = [start, start + 2, start + 4, start + 6]
    assert out['frame_inds'].tolist() == expected
    assert [read_number(img) for img in out['imgs']] == expected


def test_mmaction2_sample_frames_never_leaves_the_sample(dataset):
    ds = dataset([
        dict(type='SampleFrames', clip_len=8, frame_interval=1,
             num_clips=2),
        dict(type='RawFrameDecode')
    ])
    np.random.seed(3)
    for i, (_, onset, _, offset) in enumerate(CLIPS):
        for _ in range(5):
            out = ds[i]
            read = [read_number(img) for img in out['imgs']]
            assert read == out['frame_inds'].tolist()
            assert onset <= min(read) and max(read) <= offset


@pytest.mark.parametrize('end,clip,expected', [
    ('apex', 0, [46, 48, 51, 53]),  # 46 + 7 * (0, 1/3, 2/3, 1), rounded
    ('offset', 0, [46, 51, 56, 61]),
    ('apex', 1, [7, 8, 8, 9]),  # 3 frames stretched to 4
    ('offset', 1, [7, 8, 9, 10]),
])
def test_uniform_frames_from_onset(dataset, end, clip, expected):
    ds = dataset([dict(type='SampleClipFrames', num_frames=4, end=end)])
    out = ds[clip]
    assert out['frame_inds'].tolist() == expected
    assert [read_number(img) for img in out['imgs']] == expected
    assert out['imgs'][0].dtype == np.uint8
    assert out['clip_len'] == 4 and out['num_clips'] == 1
    assert out['img_shape'] == (6, 8)


def test_uniform_rounding_and_single_frame():
    assert uniform_frames(10, 12, 5).tolist() == [10, 11, 11, 12, 12]
    assert uniform_frames(10, 30, 1).tolist() == [10]


def test_interpolation_gives_exactly_n_frames_between_neighbours(dataset):
    ds = dataset([
        dict(type='SampleClipFrames', num_frames=5, end='apex',
             mode='interpolate')
    ])
    out = ds[1]  # onset 7, apex 9: 3 frames stretched to 5
    np.testing.assert_allclose(out['frame_inds'], [7, 7.5, 8, 8.5, 9])
    blue = [float(img[0, 0, 2]) for img in out['imgs']]
    # blue = 2 x frame number, so the linear blend gives 2 x position
    np.testing.assert_allclose(blue, [14, 15, 16, 17, 18], atol=1e-4)
    assert all(img.dtype == np.float32 for img in out['imgs'])
    # a longer span is compressed: 16 frames to 3 (onset, middle, offset)
    out = dataset([
        dict(type='SampleClipFrames', num_frames=3, end='offset',
             mode='interpolate')
    ])[0]
    np.testing.assert_allclose(out['frame_inds'], [46, 53.5, 61])
    np.testing.assert_allclose([img[0, 0, 2] for img in out['imgs']],
                               [92, 107, 122], atol=1e-4)


def test_format_shape_gives_ncthw_with_the_onset_first(dataset):
    pipeline = Compose([
        TRANSFORMS.build(dict(type='SampleClipFrames', num_frames=4,
                              end='offset')),
        TRANSFORMS.build(dict(type='Resize', scale=(16, 12),
                              keep_ratio=False)),
        TRANSFORMS.build(dict(type='FormatShape', input_format='NCTHW')),
        TRANSFORMS.build(dict(type='PackActionInputs')),
    ])
    ds = dataset([])
    packed = pipeline(ds.get_data_info(0))
    assert tuple(packed['inputs'].shape) == (1, 3, 4, 12, 16)
    reds = packed['inputs'][0, 0, :, 0, 0].tolist()
    assert reds == [46, 51, 56, 61]


def test_bad_arguments_and_missing_frames(tmp_path):
    with pytest.raises(ValueError, match='num_frames must be an int >= 1'):
        SampleClipFrames(0)
    with pytest.raises(ValueError, match="end must be one of"):
        SampleClipFrames(4, end='middle')
    with pytest.raises(ValueError, match="mode must be one of"):
        SampleClipFrames(4, mode='tim')
    results = dict(frame_dir=str(tmp_path), filename_tmpl='img{}.png',
                   onset_frame=1, apex_frame=3, subject='sub02', clip='EP9')
    cv2.imwrite(str(tmp_path / 'img1.png'), number_frame(1))
    with pytest.raises(FileNotFoundError,
                       match=r'frame 2 of sample sub02/EP9 not found'):
        SampleClipFrames(3)(results)
    with pytest.raises(ValueError, match='apex 3 comes before onset 5'):
        SampleClipFrames(3)(dict(results, onset_frame=5))
