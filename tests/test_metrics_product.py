"""Closed-form and constructed-case tests of course_lib.metrics (Fréchet distance, KID, precision/recall) and
the evaluation classifier."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from course_lib.metrics import (
    frechet_distance,
    frechet_distance_from_statistics,
    kernel_distance,
    mmd2_unbiased,
    precision_recall,
)
from course_lib.metrics.precision_recall import knn_radii

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "course_lib" / "metrics" / "assets"


def _random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def test_frechet_distance_of_gaussians_closed_form_diagonal():
    # diagonal covariances: FD = |mu_a - mu_b|^2 + sum (sqrt(s_a) - sqrt(s_b))^2
    mu_a, mu_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s_a, s_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mu_a - mu_b) ** 2) + np.sum((np.sqrt(s_a) - np.sqrt(s_b)) ** 2)
    got = frechet_distance_from_statistics(mu_a, np.diag(s_a), mu_b, np.diag(s_b))
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_frechet_distance_commuting_and_scipy_agree():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(0)
    cov_a, cov_b = _random_spd(rng, 6), _random_spd(rng, 6)
    mu_a, mu_b = rng.normal(size=6), rng.normal(size=6)
    root = scipy_linalg.sqrtm(cov_a @ cov_b).real
    expected = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)
    np.testing.assert_allclose(frechet_distance_from_statistics(mu_a, cov_a, mu_b, cov_b), expected, rtol=1e-8)
    # symmetric in its arguments
    np.testing.assert_allclose(frechet_distance_from_statistics(mu_b, cov_b, mu_a, cov_a), expected, rtol=1e-8)


def test_frechet_distance_of_a_set_with_itself_is_zero_and_shift_is_squared_norm():
    x = np.random.default_rng(1).normal(size=(500, 8))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)
    shift = np.arange(8) / 4
    assert frechet_distance(x, x + shift) == pytest.approx(np.sum(shift ** 2), rel=1e-8)


def test_frechet_distance_from_samples_converges_to_closed_form():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(20000, 2)) * [1.0, 2.0]
    b = rng.normal(size=(20000, 2)) * [2.0, 2.0] + [3.0, 0.0]
    assert frechet_distance(a, b) == pytest.approx(9.0 + 1.0, rel=0.03)


def test_frechet_distance_rejects_bad_input():
    with pytest.raises(ValueError, match="features"):
        frechet_distance(np.zeros(5), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((3, 2), np.nan), np.zeros((3, 2)))


def test_kid_is_unbiased_around_zero_for_one_distribution():
    rng = np.random.default_rng(3)
    values = [mmd2_unbiased(rng.normal(size=(100, 4)), rng.normal(size=(100, 4))) for _ in range(200)]
    se = np.std(values) / np.sqrt(len(values))
    assert abs(np.mean(values)) < 4 * se  # unbiased: the mean of many estimates sits at 0
    assert min(values) < 0 < max(values)   # single unbiased estimates can be negative


def test_kid_grows_with_a_shift_and_matches_a_direct_computation():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(50, 3)), rng.normal(size=(60, 3)) + 1.0
    k = lambda x, y: (x @ y.T / 3 + 1.0) ** 3
    m, n = len(a), len(b)
    direct = ((k(a, a).sum() - np.trace(k(a, a))) / (m * (m - 1)) + (k(b, b).sum() - np.trace(k(b, b))) / (n * (n - 1))
              - 2 * k(a, b).mean())
    np.testing.assert_allclose(mmd2_unbiased(a, b), direct, rtol=1e-12)
    mean, std = kernel_distance(a, b, subsets=5, subset_size=40, seed=0)
    assert mean > 0.1 and std >= 0


def test_precision_recall_on_constructed_sets():
    real = np.stack(np.meshgrid(np.arange(10.0), np.arange(10.0)), -1).reshape(-1, 2)  # unit grid
    # k=1 radii are all 1 on a unit grid (the corners' and edges' nearest neighbours are at 1 too)
    np.testing.assert_allclose(knn_radii(real, k=1), 1.0)
    inside = real[:50] + 0.3           # within the real balls, but covering only half the grid
    outside = real[:50] + 100.0        # far away
    p, r = precision_recall(real, np.concatenate([inside, outside]), k=1)
    assert p == pytest.approx(0.5)
    # the fake manifold: balls of radius 1 around each fake point (inside half) covers about half the real grid
    p_in, r_in = precision_recall(real, inside, k=1)
    assert p_in == 1.0 and 0.45 <= r_in <= 0.6
    p_same, r_same = precision_recall(real, real.copy(), k=3)
    assert p_same == 1.0 and r_same == 1.0


def test_classifier_file_checksum_matches_its_record():
    info = json.loads((ASSETS / "eval_classifier.json").read_text())
    data = (ASSETS / info["file"]).read_bytes()
    from course_lib.metrics.classifier import CLASSIFIER_SHA256

    assert hashlib.sha256(data).hexdigest() == info["sha256"] == CLASSIFIER_SHA256
    assert len(data) < 2_000_000 and info["test_accuracy"] >= 0.91


def test_classifier_accuracy_on_a_test_subset_and_input_forms():
    from course_lib.data import load_fashion_mnist
    from course_lib.metrics import load_classifier

    images, labels = load_fashion_mnist("test")
    images, labels = images[:1000], labels[:1000]
    clf = load_classifier()
    logits = clf.logits(images)
    assert logits.shape == (1000, 10) and clf.features(images[:5]).shape == (5, 128)
    assert (logits.argmax(1) == labels).mean() >= 0.89
    as_float = images[:8].astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(clf.logits(as_float), logits[:8], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(clf.logits(as_float[:, None]), logits[:8], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        clf.logits(images[:2].astype(np.float32))
    with pytest.raises(ValueError, match="28, 28"):
        clf.logits(np.zeros((2, 32, 32), np.uint8))


def test_classifier_rejects_a_damaged_file(tmp_path):
    from course_lib.metrics.classifier import load_classifier

    bad = tmp_path / "eval_classifier.npz"
    bad.write_bytes((ASSETS / "eval_classifier.npz").read_bytes() + b"x")
    with pytest.raises(ValueError, match="SHA-256"):
        load_classifier(bad)


def test_floor_is_small_and_class_consistency_of_real_images_is_high(tmp_path, monkeypatch):
    from course_lib.data import load_fashion_mnist
    from course_lib.metrics import evaluate_images, metric_floor

    floor = metric_floor(n=500, seed=0, kid_subsets=3)
    assert floor["class_consistency"] >= 0.88 and floor["precision"] > 0.6 and floor["recall"] > 0.6
    images, labels = load_fashion_mnist("test")
    noise = np.random.default_rng(0).integers(0, 256, size=(500, 28, 28)).astype(np.uint8)
    bad = evaluate_images(noise, labels[:500], seed=0, kid_subsets=3)
    # noise collapses to one tight cluster of features: recall sees it (0); k-NN precision does not always,
    # because one outlying real image with a large ball can cover the whole cluster (a known weakness)
    assert bad["fid_course"] > 10 * floor["fid_course"] and bad["recall"] < 0.02
    assert bad["class_consistency"] < 0.5 and bad["kid_course"] > 10 * abs(floor["kid_course"])
