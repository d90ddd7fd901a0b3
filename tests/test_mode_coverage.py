"""mode_coverage on constructed samples: all modes, one mode, points off every mode."""

import numpy as np
import pytest

from course_lib.data import toy2d
from course_lib.metrics import mode_coverage


@pytest.mark.parametrize("make", [toy2d.ring, toy2d.grid])
def test_true_samples_cover_every_mode(make):
    data = make(2500, seed=1)
    result = mode_coverage(data.samples, data.means, data.std)
    k = len(data.means)
    assert result.modes == k
    assert result.high_quality > 0.97  # 3 std in 2-D keeps 1 - exp(-4.5) = 98.9 %
    assert result.reverse_kl < 0.02
    assert result.counts.sum() == round(result.high_quality * 2500)


def test_exactly_uniform_histogram_has_zero_kl():
    means = toy2d.ring_means()
    samples = np.repeat(means, 10, axis=0)
    result = mode_coverage(samples, means, 0.01)
    assert result.modes == 8 and result.high_quality == 1.0
    assert result.reverse_kl == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(result.counts, np.full(8, 10))


def test_one_mode_gives_log_k():
    data = toy2d.grid(2500, seed=0)
    samples = data.means[7] + 0.01 * np.random.default_rng(0).standard_normal((500, 2))
    result = mode_coverage(samples, data.means, data.std)
    assert result.modes == 1 and result.high_quality == 1.0
    assert result.reverse_kl == pytest.approx(np.log(25))
    assert result.counts[7] == 500


def test_two_modes_unequal():
    means = toy2d.ring_means()
    samples = np.concatenate([np.repeat(means[:1], 30, axis=0), np.repeat(means[3:4], 10, axis=0)])
    result = mode_coverage(samples, means, 0.01)
    p = np.array([0.75, 0.25])
    assert result.modes == 2
    assert result.reverse_kl == pytest.approx(float(np.sum(p * np.log(p * 8))))


def test_points_off_every_mode():
    means = toy2d.ring_means()
    samples = np.zeros((100, 2))  # the ring's centre, 1 away from every mode
    result = mode_coverage(samples, means, 0.01)
    assert result.modes == 0 and result.high_quality == 0.0
    assert result.reverse_kl == pytest.approx(np.log(8))
    # half on a mode, half off: HQ fraction 0.5, one mode captured
    mixed = np.concatenate([samples, np.repeat(means[2:3], 100, axis=0)])
    result = mode_coverage(mixed, means, 0.01)
    assert result.modes == 1 and result.high_quality == 0.5


def test_threshold_is_three_std_in_euclidean_distance():
    means = toy2d.ring_means()
    just_in = means[0] + np.array([[0.0299, 0.0]])
    just_out = means[0] + np.array([[0.0301, 0.0]])
    assert mode_coverage(just_in, means, 0.01).high_quality == 1.0
    assert mode_coverage(just_out, means, 0.01).high_quality == 0.0


def test_errors_teach():
    means = toy2d.ring_means()
    with pytest.raises(ValueError, match=r"\[N, 2\]"):
        mode_coverage(np.zeros(5), means, 0.01)
    with pytest.raises(ValueError, match="NaN"):
        mode_coverage(np.full((3, 2), np.nan), means, 0.01)
    with pytest.raises(ValueError, match="std"):
        mode_coverage(np.zeros((3, 2)), means, 0.0)
