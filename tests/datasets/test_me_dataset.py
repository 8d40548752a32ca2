import json
import os
import os.path as osp

import pytest
from mmaction.registry import DATASETS

from mmaction_tsfmicro.annotations import AnnotationError, read_subjects
from mmaction_tsfmicro.testing import make_synthetic_dataset

PIPELINE = [
    dict(type='SelectFramePair', mode='annotated'),
    dict(type='LoadFramePair'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(
        type='PackActionInputs',
        meta_keys=('dataset', 'subject', 'subject_key', 'clip', 'sample_idx'))
]


def build(ann_file, **kwargs):
    return DATASETS.build(
        dict(type='MicroExpressionDataset', ann_file=ann_file,
             pipeline=kwargs.pop('pipeline', []), **kwargs))


def write_ann(path, records, classes=('a', 'b')):
    with open(path, 'w') as f:
        json.dump(dict(metainfo=dict(classes=list(classes)),
                       data_list=records), f)
    return str(path)


def record(**kw):
    rec = dict(dataset='casme2', subject='sub01', clip='EP01', onset=1,
               apex=3, offset=5, emotion='a', label=0)
    rec.update(kw)
    return rec


def test_loads_samples_with_frame_paths(synthetic_data):
    ds = build(synthetic_data['ann_file'],
               data_prefix=dict(img=synthetic_data['root']))
    assert len(ds) == 15
    assert ds.subjects == ['sub01', 'sub02', 'sub03']
    assert ds.metainfo['classes'][0] == 'happiness'
    info = ds.get_data_info(0)
    assert info['frame_dir'] == osp.join(synthetic_data['root'], 'sub01',
                                         'EP00_00')
    assert info['filename_tmpl'] == 'img{}.jpg'
    assert (info['onset_frame'], info['apex_frame'],
            info['offset_frame']) == (1, 5, 9)
    assert 'offset' not in info and 'onset' not in info
    assert info['subject_key'] == 'sub01'


@pytest.mark.parametrize('layout,dataset,subject,clip,expected', [
    ('casme2', 'casme2', 'sub01', 'EP02_01f', 'sub01/EP02_01f/img46.jpg'),
    ('casme2_cropped', 'casme2', 'sub01', 'EP02_01f',
     'sub01/EP02_01f/reg_img46.jpg'),
    ('samm', 'samm', '006', '006_1_2', '006/006_1_2/006_00046.jpg'),
    ('casme3', 'casme3', 'spNO.1', 'a', 'spNO.1/a/color/46.jpg'),
    ('{subject}-{clip}/f{frame:04d}.png', 'casme2', 'sub01', 'EP1',
     'sub01-EP1/f0046.png'),
    (None, 'samm', '006', '006_1_2', '006/006_1_2/006_00046.jpg'),
    (None, 'casme3', 'spNO.1', 'a', 'spNO.1/a/color/46.jpg'),
])
def test_frame_path_of_each_layout(tmp_path, layout, dataset, subject, clip,
                                   expected):
    ann = write_ann(tmp_path / 'a.json',
                    [record(dataset=dataset, subject=subject, clip=clip,
                            onset=46, apex=50, offset=60)])
    ds = build(ann, data_prefix=dict(img='/root'), layout=layout,
               check_frames='none')
    info = ds.get_data_info(0)
    path = osp.join(info['frame_dir'], info['filename_tmpl'].format(46))
    assert path == osp.join('/root', expected)


def test_loso_split_never_shares_a_subject(synthetic_data):
    ann = synthetic_data['ann_file']
    prefix = dict(img=synthetic_data['root'])
    all_subjects = read_subjects(ann)
    assert all_subjects == ['sub01', 'sub02', 'sub03']
    for subject in all_subjects:
        train = build(ann, data_prefix=prefix, exclude_subjects=[subject])
        test = build(ann, data_prefix=prefix, test_subjects=[subject])
        assert set(train.subjects).isdisjoint(test.subjects)
        assert test.subjects == [subject]
        assert set(train.subjects) | set(test.subjects) == set(all_subjects)
        assert len(train) + len(test) == 15


def test_subject_in_both_lists_is_refused(synthetic_data):
    with pytest.raises(ValueError, match=r"\['sub02'\] are both in "
                       'test_subjects and exclude_subjects'):
        build(synthetic_data['ann_file'], test_subjects=['sub02'],
              exclude_subjects=['sub02', 'sub03'])


def test_unknown_subject_is_refused(synthetic_data):
    with pytest.raises(ValueError, match=r"unknown subject 'sub99' in "
                       r'test_subjects; known subjects: sub01, sub02, sub03'):
        build(synthetic_data['ann_file'], test_subjects=['sub99'])


def test_composite_subject_keys(tmp_path):
    recs = [record(dataset='casme2', subject='sub01'),
            record(dataset='samm', subject='006', clip='006_1'),
            record(dataset='samm', subject='sub01', clip='x')]
    ann = write_ann(tmp_path / 'c.json', recs)
    roots = dict(casme2='/c2', samm='/sm')
    ds = build(ann, frame_roots=roots, test_subjects=['006'],
               check_frames='none')
    assert ds.subjects == ['samm/006']
    assert ds.get_data_info(0)['frame_dir'] == '/sm/006/006_1'
    with pytest.raises(ValueError, match="subject 'sub01' in test_subjects "
                       "is ambiguous; use one of"):
        build(ann, frame_roots=roots, test_subjects=['sub01'])
    ds = build(ann, frame_roots=roots, exclude_subjects=['casme2/sub01'],
               check_frames='none')
    assert ds.subjects == ['samm/006', 'samm/sub01']


@pytest.mark.parametrize('records,message', [
    ([record(apex='/')], r'data_list\[0\]: "apex" must be int, got \'/\''),
    ([record(), {k: v for k, v in record().items() if k != 'clip'}],
     r'data_list\[1\] lacks "clip"'),
    ([record(label=5)], r'data_list\[0\] \(casme2/sub01/EP01\): label 5 '
     r'outside 0..1'),
    # checked where read with the rules of where written
    ([record(onset=5, apex=3, offset=9)],
     r'frames must satisfy 0 < onset <= apex <= offset, got 5, 3, 9'),
    ([record(apex=7)], r'got 1, 7, 5'),
    ([record(), record()], r'data_list\[1\] \(casme2/sub01/EP01\): same '
     r'dataset, subject and clip as data_list\[0\]'),
])
def test_bad_records_are_named(tmp_path, records, message):
    ann = write_ann(tmp_path / 'bad.json', records)
    with pytest.raises(AnnotationError, match=message) as err:
        build(ann)
    assert str(err.value).startswith(str(tmp_path / 'bad.json') + ': ')


def test_missing_or_malformed_annotation_file(tmp_path):
    with pytest.raises(AnnotationError, match='nope.json: file not found'):
        build(str(tmp_path / 'nope.json'))
    bad = tmp_path / 'bad.json'
    bad.write_text('[1, 2]')
    with pytest.raises(AnnotationError, match='bad.json: no "metainfo" '
                       'object; not a normalized annotation file'):
        build(str(bad))


def test_pipeline_output(synthetic_data):
    ds = build(synthetic_data['ann_file'],
               data_prefix=dict(img=synthetic_data['root']),
               test_subjects=['sub02'], pipeline=PIPELINE)
    sample = ds[3]
    assert tuple(sample['inputs'].shape) == (1, 3, 2, 32, 32)
    ds_meta = sample['data_samples'].metainfo
    assert ds_meta['subject'] == 'sub02' and ds_meta['clip'] == 'EP03_00'
    assert int(sample['data_samples'].gt_label) == 3
    onset, apex = sample['inputs'][0, :, 0], sample['inputs'][0, :, 1]
    # the apex frame carries the class blob, the onset frame does not
    assert float((apex.float() - onset.float()).abs().max()) > 30


def test_missing_frames_are_found_when_the_dataset_is_built(tmp_path):
    root = str(tmp_path)
    ann = make_synthetic_dataset(root, subjects=('sub01', ), num_frames=5)
    os.remove(osp.join(root, 'sub01', 'EP02_00', 'img2.jpg'))
    with pytest.raises(FileNotFoundError) as err:
        build(ann, data_prefix=dict(img=root), pipeline=PIPELINE)
    assert str(err.value) == (
        f'{ann}: 1 of 5 samples lack frames; the first: sub01/EP02_00 frame '
        f'2 ({root}/sub01/EP02_00/img2.jpg); copy the missing frames (or '
        "set check_frames='keys' to need only the onset, apex and offset "
        'frames)')
    # only the key frames (onset 1, apex 3, offset 5) are needed with 'keys'
    ds = build(ann, data_prefix=dict(img=root), pipeline=PIPELINE,
               check_frames='keys')
    assert len(ds) == 5 and ds[2]['inputs'].shape == (1, 3, 2, 32, 32)
    os.remove(osp.join(root, 'sub01', 'EP02_00', 'img3.jpg'))
    with pytest.raises(FileNotFoundError, match='sub01/EP02_00 frame 3'):
        build(ann, data_prefix=dict(img=root), check_frames='keys')
    with pytest.raises(ValueError, match="check_frames must be one of"):
        build(ann, check_frames='some')


def test_no_frames_at_all_says_where_to_look(tmp_path):
    root = str(tmp_path / 'CASME2_RAW_selected')
    ann = make_synthetic_dataset(root, subjects=('sub01', ), num_frames=5,
                                 layout='casme2')
    # a config for the cropped release meets the raw release's frames
    with pytest.raises(FileNotFoundError) as err:
        build(ann, data_prefix=dict(img=root), layout='casme2_cropped')
    assert str(err.value).endswith(
        "5 of 5 samples lack frames; the first: sub01/EP00_00 frame 1 "
        f"({root}/sub01/EP00_00/reg_img1.jpg); its frames are there in the "
        "layout 'casme2': set layout='casme2' (now 'casme2_cropped')")
    # only the raw frames exist beside the aligned faces' folder: the hint
    # says to align them, or to use them as they are
    faces = str(tmp_path / 'faces224')
    with pytest.raises(FileNotFoundError) as err:
        build(ann, data_prefix=dict(img=faces))
    assert str(err.value).endswith(
        f"the frame root '{faces}' does not exist, but {root} holds subject "
        'sub01: align those frames with tools/data/preprocess_faces.py '
        f'--src {root} (docs/preprocessing.md) and set data_prefix to its '
        f"--dst, or set data_prefix=dict(img='{root}') to use them as they "
        'are')
    # nothing beside it: the frame root itself is wrong
    nowhere = str(tmp_path / 'elsewhere' / 'Cropped')
    with pytest.raises(FileNotFoundError) as err:
        build(ann, data_prefix=dict(img=nowhere))
    assert str(err.value).endswith(
        f"the frame root '{nowhere}' does not exist: set "
        'data_prefix=dict(img=...) to the folder that holds the subject '
        'folders')


def test_a_truncated_frame_is_refused_when_loaded(tmp_path):
    root = str(tmp_path)
    ann = make_synthetic_dataset(root, subjects=('sub01', ), num_frames=5)
    path = osp.join(root, 'sub01', 'EP02_00', 'img3.jpg')
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    ds = build(ann, data_prefix=dict(img=root), pipeline=PIPELINE)
    ds[1]  # another clip still loads
    with pytest.raises(ValueError) as err:
        ds[2]
    assert str(err.value) == (
        f'{path}: truncated image (the JPEG data ends before its '
        'end-of-image marker); copy the file again (frame 3 of sample '
        'sub01/EP02_00)')


def test_clip_dir_names_the_frame_folder(tmp_path):
    """CAS(ME)^3 samples that share a recording: clip ids differ from the
    folder that holds their frames."""
    recs = [record(dataset='casme3', subject='spNO.1', clip='e_62',
                   clip_dir='e', onset=62, apex=70, offset=80),
            record(dataset='casme3', subject='spNO.1', clip='e_300',
                   clip_dir='e', onset=300, apex=310, offset=320)]
    ds = build(write_ann(tmp_path / 'c3.json', recs),
               data_prefix=dict(img='/c3'), check_frames='none')
    infos = [ds.get_data_info(i) for i in range(2)]
    assert [i['clip'] for i in infos] == ['e_62', 'e_300']
    assert {i['frame_dir'] for i in infos} == {'/c3/spNO.1/e/color'}
    assert infos[1]['filename_tmpl'].format(310) == '310.jpg'
