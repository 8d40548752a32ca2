import numpy as np
import pytest
from tsfmicro_synthesis.action_units import (ACTION_UNITS, CLASS_VARIANTS,
                                             CLASSES, OBJECTIVE_CLASSES,
                                             REFERENCE_IOD, anchor_arrays,
                                             displacement_field, face_axes,
                                             parse_combination)


def test_every_variant_is_defined():
    assert CLASSES == ('happiness', 'disgust', 'repression', 'surprise',
                       'others')
    assert set(CLASS_VARIANTS) == set(CLASSES)
    for emotion, variants in CLASS_VARIANTS.items():
        assert abs(sum(p for _, p in variants) - 1) < 1e-9, emotion
        for combo, _ in variants:
            assert all(c in ACTION_UNITS for c in parse_combination(combo))
            assert OBJECTIVE_CLASSES[combo] in range(1, 8)


def test_unknown_action_unit_is_refused():
    with pytest.raises(KeyError, match="unknown action unit.*'99'"):
        parse_combination('6+99')


def test_landmark_moves_by_its_anchor_vector(photo_face):
    _, points = photo_face
    ex, ey, iod = face_axes(points)
    h, w = 1024, 1024
    field = displacement_field(points, '12', (h, w), step=1)
    scale = iod / REFERENCE_IOD
    # lip corners: (outward 0.7, up 0.7) in units of the amplitude, blended
    # with the neighbouring cheek anchor (outward 0.3, up 0.5)
    for idx, sign in ((61, -1.0), (291, 1.0)):
        x, y = np.rint(points[idx]).astype(int)
        expected = (sign * 0.7 * ex - 0.7 * ey) * scale
        got = field[y, x]
        cos = got @ expected / np.linalg.norm(got) / np.linalg.norm(expected)
        assert cos > 0.97
        assert 0.75 < np.linalg.norm(got) / np.linalg.norm(expected) <= 1.0
    # an anchor on its own moves by exactly its vector: the chin (AU17)
    chin = displacement_field(points, '17', (h, w), step=1)
    x, y = np.rint(points[152]).astype(int)
    assert np.allclose(chin[y, x], -1.0 * ey * scale, atol=0.05 * scale)
    # nothing moves at the brows or on the forehead
    for idx in (105, 334, 9, 151):
        x, y = np.rint(points[idx]).astype(int)
        assert np.abs(field[y, x]).max() < 0.01 * scale


def test_subsampled_field_matches_the_full_one(photo_face):
    _, points = photo_face
    full = displacement_field(points, '6+12', (512, 512), step=1)
    fast = displacement_field(points, '6+12', (512, 512), step=2)
    assert np.abs(full - fast).max() < 0.05 * np.abs(full).max()


def test_asymmetry_weights_each_half(photo_face):
    _, points = photo_face
    centres, vec_sym, _ = anchor_arrays(points, '15')
    _, vec_asym, _ = anchor_arrays(points, '15', side_weights=(1.2, 0.8))
    ratio = np.linalg.norm(vec_asym, axis=1) / np.linalg.norm(vec_sym, axis=1)
    left = centres[:, 0] < points[[33, 133, 362, 263]].mean(0)[0]
    assert left.sum() == (~left).sum() == 2
    assert np.allclose(ratio[left], 1.2) and np.allclose(ratio[~left], 0.8)


@pytest.mark.parametrize('combo,above,below', [
    ('1+2', 'brows', 'mouth'),
    ('4', 'brows', 'mouth'),
    ('6+12', 'mouth', 'brows'),
    ('15+17', 'mouth', 'brows'),
    ('9', 'nose', 'brows'),
])
def test_classes_move_different_places(photo_face, combo, above, below):
    """The motion of each pattern is where its class says, not elsewhere."""
    _, points = photo_face
    field = np.linalg.norm(
        displacement_field(points, combo, (1024, 1024)), axis=-1)
    regions = {
        'brows': [70, 63, 105, 66, 107, 336, 296, 334, 293, 300],
        'mouth': [61, 291, 0, 17, 84, 314],
        'nose': [129, 358, 98, 327, 48, 278],
    }

    def energy(name):
        pts = np.rint(points[regions[name]]).astype(int)
        return field[pts[:, 1], pts[:, 0]].mean()

    assert energy(above) > 5 * energy(below) + 1e-6
