"""The shipped product generator: package data of a few hundred kB, its SHA-256 checked, the same pictures from
both twins, refused when damaged, and really class-conditional."""

from __future__ import annotations

import hashlib
import tomllib

import numpy as np
import pytest

from course_lib.errors import InputError
from course_lib.product import shipped
from tests.conftest import REPO_ROOT


def test_the_file_is_small_declared_as_package_data_and_matches_its_checksum():
    data = shipped.WEIGHTS_PATH.read_bytes()
    assert len(data) < 3 * 2**20
    assert hashlib.sha256(data).hexdigest() == shipped.SHIPPED_SHA256
    info = shipped.shipped_generator_info()
    assert info["sha256"] == shipped.SHIPPED_SHA256 and info["bytes"] == len(data)
    _, meta = shipped.load_shipped_weights()
    assert meta["step"] == info["step"] >= 1000
    package_data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert {p.split("/")[-1] for p in package_data["course_lib.product"]} == {"product_generator.npz",
                                                                             "product_generator.json"}


def test_a_damaged_file_is_refused(tmp_path):
    data = bytearray(shipped.WEIGHTS_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "product_generator.npz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match="SHA-256"):
        shipped.load_shipped_weights(damaged)
    with pytest.raises(InputError, match="framework"):
        shipped.load_shipped_generator("jax")


def test_both_twins_draw_the_same_images_and_the_class_matters():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from course_lib.tf.product_gan import sample_images as tf_sample
    from course_lib.torch.product_gan import sample_images as torch_sample

    labels = np.arange(20) % 10
    torch_images = torch_sample(shipped.load_shipped_generator("torch"), labels, seed=3)
    tf_images = tf_sample(shipped.load_shipped_generator("tf"), labels, seed=3)
    # uint8 after rounding: float32 differences of 1e-6 may flip a rounding, never more than one grey level
    assert np.abs(torch_images.astype(int) - tf_images.astype(int)).max() <= 1
    same_z_other_class = torch_sample(shipped.load_shipped_generator("torch"), (labels + 5) % 10, seed=3)
    assert np.abs(same_z_other_class.astype(float) - torch_images).mean() > 10
