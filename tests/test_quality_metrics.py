"""PSNR and SSIM (course_lib.metrics) against scikit-image and a hand-written numpy PSNR; the seeded
degradations (course_lib.data.degradations) and the restoration table row."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.data import load_fashion_mnist
from course_lib.data.degradations import (
    DEFAULT_PIPELINE,
    add_gaussian_noise,
    bicubic_upscale,
    degrade,
    downscale,
    gaussian_blur,
    jpeg_blocks,
)
from course_lib.errors import InputError
from course_lib.metrics import psnr, ssim


@pytest.fixture(scope="module")
def photos():
    return load_fashion_mnist("test")[0][:40]


def _psnr_oracle(a, b, data_range):
    """Written from the formula, one image at a time, without numpy's vectorised means."""
    values = []
    for x, y in zip(a, b):
        diffs = [(float(p) - float(q)) ** 2 for p, q in zip(x.ravel(), y.ravel())]
        mse = sum(diffs) / len(diffs)
        values.append(float("inf") if mse == 0 else 10.0 * np.log10(data_range ** 2 / mse))
    return np.array(values)


def _degraded_versions(photos):
    return [bicubic_upscale(degrade(photos, seed=1)), add_gaussian_noise(photos, 30.0, seed=2),
            gaussian_blur(photos, 1.5), jpeg_blocks(photos, 12.0), np.zeros_like(photos), 255 - photos]


def test_ssim_matches_scikit_image(photos):
    metrics = pytest.importorskip("skimage.metrics")
    for other in _degraded_versions(photos):
        expected = [metrics.structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                                  data_range=255) for x, y in zip(photos, other)]
        np.testing.assert_allclose(ssim(photos, other), expected, rtol=0, atol=1e-6)
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (3, 28, 28)), rng.uniform(-1, 1, (3, 28, 28))
    expected = [metrics.structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                              data_range=2.0) for x, y in zip(a, b)]
    np.testing.assert_allclose(ssim(a, b, data_range=2.0), expected, rtol=0, atol=1e-6)


def test_psnr_matches_the_formula_and_scikit_image(photos):
    metrics = pytest.importorskip("skimage.metrics")
    for other in _degraded_versions(photos)[:4]:
        np.testing.assert_allclose(psnr(photos, other), _psnr_oracle(photos, other, 255.0), rtol=1e-12)
        expected = [metrics.peak_signal_noise_ratio(x, y, data_range=255) for x, y in zip(photos, other)]
        np.testing.assert_allclose(psnr(photos, other), expected, rtol=1e-12)
    floats = photos[:3].astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(psnr(floats, floats * 0.9, data_range=2.0),
                               _psnr_oracle(floats, floats * 0.9, 2.0), rtol=1e-6)


def test_identical_images_and_symmetry(photos):
    assert np.all(np.isinf(psnr(photos, photos))) and np.allclose(ssim(photos, photos), 1.0)
    other = add_gaussian_noise(photos, 20.0, seed=3)
    np.testing.assert_allclose(psnr(photos, other), psnr(other, photos))
    np.testing.assert_allclose(ssim(photos, other), ssim(other, photos))
    assert psnr(photos, other).shape == ssim(photos, other).shape == (len(photos),)


@pytest.mark.parametrize("metric", [psnr, ssim])
def test_bad_input_names_the_problem(metric, photos):
    floats = photos.astype(np.float64)
    with pytest.raises(InputError, match="data_range"):
        metric(floats, floats)
    with pytest.raises(InputError, match="same shape"):
        metric(photos[:3], photos[:4])
    with pytest.raises(InputError, match="non-empty"):
        metric(photos[:0], photos[:0])
    with pytest.raises(InputError, match=r"a\[None\]"):
        metric(photos[0], photos[0])
    bad = floats.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        metric(bad, floats, data_range=255.0)
    with pytest.raises(InputError, match="data_range"):
        metric(floats, floats, data_range=0.0)


def test_degradations_are_reproducible_by_seed_and_compose(photos):
    a, b, c = degrade(photos, seed=5), degrade(photos, seed=5), degrade(photos, seed=6)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (len(photos), 14, 14) and a.dtype == np.uint8 and not np.array_equal(a, c)
    # the pipeline is the steps in order
    manual = downscale(photos, 2)
    assert np.array_equal(degrade(photos, (("downscale", {"factor": 2}),)), manual)
    both = degrade(photos, (("blur", {"sigma": 1.0}), ("jpeg", {"step": 10.0})), seed=0)
    np.testing.assert_array_equal(both, jpeg_blocks(gaussian_blur(photos, 1.0), 10.0))
    noisy = degrade(photos, (("noise", {"sigma": 10.0}), ("noise", {"sigma": 10.0})), seed=0)
    assert noisy.shape == photos.shape
    assert DEFAULT_PIPELINE[0][0] == "downscale"


def test_each_degradation_does_what_it_says(photos):
    flat = np.full((1, 28, 28), 100, np.uint8)
    np.testing.assert_array_equal(downscale(flat), np.full((1, 14, 14), 100))
    np.testing.assert_array_equal(bicubic_upscale(downscale(flat)), flat)  # a flat image survives the round trip
    np.testing.assert_array_equal(jpeg_blocks(flat, 8.0), flat)           # so does a flat block (DC only)
    noise = add_gaussian_noise(flat, 10.0, seed=0).astype(float) - 100
    assert abs(noise.std() - 10.0) < 1.0 and abs(noise.mean()) < 1.5
    assert gaussian_blur(photos, 2.0).astype(float).std() < photos.astype(float).std()
    # the block artefact: the error is larger than zero and grows with the quantisation step
    assert 0 < np.abs(jpeg_blocks(photos, 4.0).astype(float) - photos).mean() < \
        np.abs(jpeg_blocks(photos, 16.0).astype(float) - photos).mean()
    # bicubic beats nearest-neighbour upscaling of the same thumbnail
    small = downscale(photos)
    nearest = small.repeat(2, axis=1).repeat(2, axis=2)
    assert psnr(photos, bicubic_upscale(small)).mean() > psnr(photos, nearest).mean()


def test_degradations_refuse_bad_input(photos):
    with pytest.raises(InputError, match="uint8"):
        degrade(photos.astype(float))
    with pytest.raises(InputError, match="factor"):
        downscale(photos, 3)
    with pytest.raises(InputError, match="pipeline step 0"):
        degrade(photos, (("sharpen", {}),))
    with pytest.raises(InputError, match="sigma"):
        add_gaussian_noise(photos, -1.0)
    with pytest.raises(InputError, match="seed"):
        degrade(photos, seed=-1)


def test_restoration_row_has_the_four_numbers(photos):
    from course_lib.metrics import evaluate_restoration

    labels = load_fashion_mnist("test")[1][:40]
    perfect = evaluate_restoration(photos, photos, labels)
    assert perfect["fid_course"] < 1e-6 and np.isinf(perfect["psnr"]) and perfect["ssim"] == pytest.approx(1.0)
    baseline = evaluate_restoration(bicubic_upscale(degrade(photos, seed=1)), photos, labels)
    assert baseline["fid_course"] > 1.0 and 10 < baseline["psnr"] < 40 and 0 < baseline["ssim"] < 1
    assert 0 <= baseline["accuracy"] <= 1 and baseline["n"] == 40
