import numpy as np
import pytest
from tsfmicro_synthesis.geometry import pose_extent
from tsfmicro_synthesis.motion import (smooth_trajectory, synthetic_drift,
                                       temporal_profile)


def test_temporal_profile_peaks_once_at_the_apex():
    prof = temporal_profile(40, 4, 17, 33)
    assert prof.shape == (40, )
    assert prof[17] == 1.0 and int(np.argmax(prof)) == 17
    assert np.all(prof[:5] == 0) and np.all(prof[33:] == 0)
    assert np.all(np.diff(prof[4:18]) > 0)
    assert np.all(np.diff(prof[17:34]) < 0)
    with pytest.raises(ValueError, match='onset < apex < offset'):
        temporal_profile(40, 10, 10, 20)


def test_smooth_trajectory_starts_at_zero_and_peaks_at_one():
    curves = smooth_trajectory(np.random.default_rng(4), 50, dims=3)
    assert curves.shape == (50, 3)
    assert np.all(curves[0] == 0)
    assert np.allclose(np.abs(curves).max(0), 1.0)
    # smooth: neighbouring samples are close
    assert np.abs(np.diff(curves, axis=0)).max() < 0.3
    again = smooth_trajectory(np.random.default_rng(4), 50, dims=3)
    assert np.array_equal(curves, again)


def test_synthetic_drift_starts_still_and_stays_small():
    drift = synthetic_drift(np.random.default_rng(1), 40, 1.5, 60.0)
    assert np.all(drift[0] == 0)
    assert pose_extent(drift, 60.0).max() == pytest.approx(1.5)
