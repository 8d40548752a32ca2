"""The registry of data sets: a data set of one's own is one module (its
spec) plus one registration, and every stage then knows it."""
import pytest

from mmaction_tsfmicro.annotations import (CLASS_SETS, DATASET_CLASS_SETS,
                                           DATASET_SPECS, EMOTION_WORDS,
                                           AnnotationError, ClassSet,
                                           DatasetSpec, class_set_for,
                                           convert, dataset_names,
                                           default_layout, get_dataset,
                                           register_dataset,
                                           write_annotation_file)
from mmaction_tsfmicro.annotations import registry
from mmaction_tsfmicro.annotations.layouts import LAYOUTS, frame_path
from mmaction_tsfmicro.annotations.sheet_conversion import (SheetSpec,
                                                            convert_sheet)


def test_the_builtin_data_sets():
    assert list(DATASET_SPECS) == ['casme2', 'samm', 'casme3', 'smic',
                              'megc2019']
    assert dataset_names(convertible=True) == ['casme2', 'samm', 'casme3',
                                               'megc2019']
    assert default_layout('casme2') == 'casme2'
    assert default_layout('megc2019') is None
    assert LAYOUTS['casme2_cropped'] == '{subject}/{clip}/reg_img{frame}.jpg'
    with pytest.raises(AnnotationError, match="unknown dataset 'smic'; "
                       'choose one of casme2, samm, casme3, megc2019'):
        get_dataset('smic', convertible=True)


@pytest.fixture
def own_dataset():
    """Register a lab's own data set; restore the registry afterwards."""
    saved = {name: dict(getattr(registry, name)) for name in (
        'DATASET_SPECS', 'CLASS_SETS', 'EMOTION_WORDS', 'LAYOUTS',
        'DATASET_TITLES', 'DATASET_CLASS_SETS')}
    words = ('smile', 'frown', 'neutral')
    sheet = SheetSpec(
        dataset='mylab', title='My lab', words=words,
        columns=dict(subject=('Participant', ), clip=('Trial', ),
                     onset=('Start', ), apex=('Peak', ), offset=('End', ),
                     emotion=('Label', )),
        required=('subject', 'clip', 'onset', 'apex', 'offset', 'emotion'),
        subject_id=lambda cell: f'p{int(cell):02d}')
    class_sets = (ClassSet('mylab_2', ('positive', 'negative'), {
        'mylab': {'smile': 'positive', 'frown': 'negative',
                  'neutral': None}}), )

    def convert_mylab(path, class_set=None):
        return convert_sheet(sheet, path, spec.class_set(class_set))

    spec = DatasetSpec(
        name='mylab', title='My lab', sheet=sheet, class_sets=class_sets,
        layouts={'mylab': '{subject}/{clip}/frame_{frame:03d}.png'},
        convert=convert_mylab, sheet_files='labels.csv')
    register_dataset(spec)
    yield spec
    for name, value in saved.items():
        table = getattr(registry, name)
        table.clear()
        table.update(value)


def test_a_data_set_of_ones_own(own_dataset, tmp_path):
    sheet = tmp_path / 'labels.csv'
    sheet.write_text('Participant,Trial,Start,Peak,End,Label\n'
                     '1,t1,10,14,20,Smile\n'
                     '1,t2,5,9,12,neutral\n'
                     '2,t1,3,6,9,frown\n')
    assert 'mylab' in dataset_names(convertible=True)
    assert EMOTION_WORDS['mylab'] == ('smile', 'frown', 'neutral')
    assert DATASET_CLASS_SETS['mylab'] == {2: 'mylab_2'}
    assert class_set_for('mylab', 2) is CLASS_SETS['mylab_2']
    records, report = convert('mylab', str(sheet), 2)
    assert [(r['subject'], r['clip'], r['label']) for r in records] == [
        ('p01', 't1', 0), ('p02', 't1', 1)]
    assert report.count('excluded_emotion') == 1  # neutral has no class
    assert report.summary(records).startswith('My lab -> mylab_2: positive')
    out = tmp_path / 'mylab.json'
    write_annotation_file(str(out), records, report.metainfo(records))
    # the dataset finds the frames with the data set's own layout
    from mmaction.registry import DATASETS as MMACTION_DATASETS

    import mmaction_tsfmicro.plugin  # noqa: F401
    ds = MMACTION_DATASETS.build(dict(
        type='MicroExpressionDataset', ann_file=str(out), pipeline=[],
        data_prefix=dict(img='/data/mylab'), test_subjects=['p02'],
        check_frames='none'))
    info = ds.get_data_info(0)
    assert info['frame_dir'] == '/data/mylab/p02/t1'
    assert info['filename_tmpl'].format(6) == 'frame_006.png'
    assert frame_path('mylab', '/r', 'p01', 't1', 7) == \
        '/r/p01/t1/frame_007.png'


def test_registration_refuses_clashes(own_dataset):
    with pytest.raises(ValueError, match="'mylab' is registered already"):
        register_dataset(own_dataset)
    bad = DatasetSpec('other', 'Other', layouts={'mylab': '{frame}.png'})
    with pytest.raises(ValueError, match="frame layout 'mylab' is "
                       'registered already'):
        register_dataset(bad)
    assert 'other' not in DATASET_SPECS
