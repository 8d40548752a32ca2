"""The class sets: order, word-to-class maps, --classes lookup."""
import re

import pytest

from mmaction_tsfmicro.annotations import (CLASS_SETS, EMOTION_WORDS,
                                           AnnotationError, DatasetSpec,
                                           class_set_for, mapping_rows,
                                           mapping_table, register_dataset)
from mmaction_tsfmicro.annotations.class_sets import ClassSet, emotion_word


def test_class_orders_are_fixed():
    assert CLASS_SETS['casme2_5'].classes == (
        'happiness', 'disgust', 'repression', 'surprise', 'others')
    assert CLASS_SETS['samm_5'].classes == (
        'anger', 'contempt', 'happiness', 'surprise', 'other')
    assert CLASS_SETS['casme3_7'].classes == (
        'happy', 'disgust', 'fear', 'anger', 'sad', 'surprise', 'others')
    assert CLASS_SETS['casme3_4'].classes == (
        'positive', 'negative', 'surprise', 'others')
    # the labels 0, 1, 2 of combined_3class_gt.csv
    assert CLASS_SETS['megc2019_3'].classes == ('negative', 'positive',
                                                'surprise')


def test_every_word_of_every_covered_dataset_is_mapped():
    for cs in CLASS_SETS.values():
        for dataset in cs.datasets:
            assert set(cs.mapping[dataset]) == set(EMOTION_WORDS[dataset])
            for word, cls in cs.mapping[dataset].items():
                assert cls is None or cls in cs.classes


@pytest.mark.parametrize('name,dataset,expected', [
    ('casme2_5', 'casme2', {'happiness': 'happiness', 'disgust': 'disgust',
                            'repression': 'repression',
                            'surprise': 'surprise', 'others': 'others',
                            'sadness': None, 'fear': None}),
    ('samm_5', 'samm', {'anger': 'anger', 'contempt': 'contempt',
                        'happiness': 'happiness', 'surprise': 'surprise',
                        'other': 'other', 'disgust': None, 'fear': None,
                        'sadness': None}),
    ('casme3_4', 'casme3', {'happy': 'positive', 'disgust': 'negative',
                            'fear': 'negative', 'anger': 'negative',
                            'sad': 'negative', 'surprise': 'surprise',
                            'others': 'others'}),
    ('megc2019_3', 'casme2', {'repression': 'negative',
                              'disgust': 'negative', 'fear': 'negative',
                              'sadness': 'negative',
                              'happiness': 'positive',
                              'surprise': 'surprise', 'others': None}),
    ('megc2019_3', 'samm', {'anger': 'negative', 'contempt': 'negative',
                            'disgust': 'negative', 'fear': 'negative',
                            'sadness': 'negative', 'happiness': 'positive',
                            'surprise': 'surprise', 'other': None}),
    ('megc2019_3', 'smic', {'negative': 'negative', 'positive': 'positive',
                            'surprise': 'surprise'}),
])
def test_word_to_class(name, dataset, expected):
    cs = CLASS_SETS[name]
    assert {w: cs.class_of(dataset, w)
            for w in EMOTION_WORDS[dataset]} == expected


def test_casme3_7_is_the_identity_and_labels_index_classes():
    cs = CLASS_SETS['casme3_7']
    for i, word in enumerate(cs.classes):
        assert cs.class_of('casme3', word) == word
        assert cs.label_of(word) == i


@pytest.mark.parametrize('dataset,k,name', [
    ('casme2', 5, 'casme2_5'), ('samm', '5', 'samm_5'),
    ('casme3', 7, 'casme3_7'), ('casme3', 4, 'casme3_4'),
    ('megc2019', 3, 'megc2019_3'), ('casme3', None, 'casme3_7'),
    ('casme3', 'casme3_4', 'casme3_4')])
def test_class_set_for(dataset, k, name):
    assert class_set_for(dataset, k).name == name


@pytest.mark.parametrize('dataset,k,message', [
    ('casme2', 7, '--classes 7: CASME II has no 7-class set; choose 5'),
    ('casme3', 5, '--classes 5: CAS(ME)^3 part A has no 5-class set; '
     'choose 7, 4'),
    ('megc2019', 5, 'MEGC 2019 composite has no 5-class set; choose 3'),
    ('samm', 'casme2_5', "samm has no class set 'casme2_5'"),
    ('smic', 3, "unknown dataset 'smic'"),
])
def test_class_set_for_refuses(dataset, k, message):
    with pytest.raises(AnnotationError, match=re.escape(message)):
        class_set_for(dataset, k)


def test_emotion_word_spellings():
    assert emotion_word('casme3', ' Others ') == 'others'
    assert emotion_word('casme3', 'other') == 'others'
    assert emotion_word('samm', 'Anger') == 'anger'
    assert emotion_word('samm', 'Others') == 'other'
    with pytest.raises(KeyError):
        emotion_word('casme2', 'anger')  # not a CASME II word


def test_class_set_checks_its_map():
    with pytest.raises(ValueError, match='must cover exactly'):
        register_dataset(DatasetSpec(
            'bad', 'Bad', class_sets=(ClassSet(
                'bad', ('a', ), {'smic': {'negative': 'a'}}), )))
    with pytest.raises(ValueError, match='unknown classes'):
        ClassSet('bad', ('a', ), {'smic': {'negative': 'a', 'positive': 'b',
                                           'surprise': None}})
    assert 'bad' not in CLASS_SETS


def test_mapping_table_lists_every_word():
    rows = mapping_rows()
    assert len(rows) == sum(
        len(EMOTION_WORDS[d]) for cs in CLASS_SETS.values()
        for d in cs.datasets)
    assert ('casme3_4', 'casme3', 'sad', 'negative', 1) in rows
    assert ('casme2_5', 'casme2', 'fear', None, None) in rows
    text = mapping_table(['megc2019_3'])
    assert text.startswith('### megc2019_3: 0 negative, 1 positive, '
                           '2 surprise\n')
    assert '| samm | contempt | negative | 0 |' in text
    assert '| casme2 | others | (left out) | - |' in text
    assert 'casme2_5' not in text
