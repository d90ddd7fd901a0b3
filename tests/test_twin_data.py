"""Twin data adapters: layout, range, round trip, batching, and both frameworks seeing the same pixels."""

import numpy as np
import pytest

from course_lib.data.images import uint8_to_unit_range, unit_range_to_uint8

LAYOUT = {"torch": (1, 28, 28), "tf": (28, 28, 1)}


def _images(n=10, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28)).astype(np.uint8)


def test_to_model_images_layout_range_and_round_trip(fw, framework):
    images = _images()
    x = fw.data.to_model_images(images)
    array = fw.utils.to_numpy(x)
    assert array.shape == (10, *LAYOUT[framework]) and array.dtype == np.float32
    assert array.min() >= -1 and array.max() <= 1
    np.testing.assert_array_equal(array.reshape(10, 28, 28), uint8_to_unit_range(images))
    np.testing.assert_array_equal(fw.data.to_uint8_images(x), images)


def test_uint8_boundary_values():
    np.testing.assert_array_equal(uint8_to_unit_range(np.array([[[0, 255]]], np.uint8)), [[[-1.0, 1.0]]])
    np.testing.assert_array_equal(unit_range_to_uint8(np.array([-3.0, 0.0, 3.0])), [0, 128, 255])


def test_batches_shapes_labels_and_epochs(fw, framework):
    images, labels = _images(100), np.arange(100) % 10
    loader = fw.data.batches(images, labels, batch_size=32, seed=1)
    epoch1 = [(fw.utils.to_numpy(x), fw.utils.to_numpy(y)) for x, y in loader]
    epoch2 = [(fw.utils.to_numpy(x), fw.utils.to_numpy(y)) for x, y in loader]
    assert len(epoch1) == 3 and all(x.shape == (32, *LAYOUT[framework]) for x, _ in epoch1)  # partial batch dropped
    assert all(y.dtype == np.int64 for _, y in epoch1)
    seen = np.concatenate([y for _, y in epoch1])
    assert len(seen) == 96 and set(seen) <= set(range(10))
    assert not np.array_equal(epoch1[0][1], epoch2[0][1]), "each epoch reshuffles"
    # pixels and labels stay paired through the shuffle
    for x, y in epoch1:
        flat = x.reshape(len(x), -1)
        for row, label in zip(flat[:5], y[:5]):
            index = np.flatnonzero((uint8_to_unit_range(images).reshape(100, -1) == row).all(axis=1))
            assert labels[index[0]] == label


def test_batches_keep_the_remainder_on_request_and_hold_data_on_device(fw):
    images = _images(70)
    assert sum(len(fw.utils.to_numpy(x)) for x in fw.data.batches(images, batch_size=32, drop_remainder=False)) == 70
    on_device = fw.data.batches(images, np.zeros(70, int), batch_size=32, on_device=True)
    assert len(on_device) == 2 and len(list(on_device)) == 2


def test_bad_input_says_what_was_expected(fw):
    with pytest.raises(ValueError, match="uint8 images of shape"):
        fw.data.batches(np.zeros((4, 28, 28), np.float32))
    with pytest.raises(ValueError, match=r"labels: expected shape \[4\]"):
        fw.data.batches(_images(4), np.zeros(3))
    with pytest.raises(ValueError, match="batch_size: expected a positive integer"):
        fw.data.batches(_images(4), batch_size=0)


def test_fashion_mnist_batches_limit(fw):
    assert hasattr(pytest.importorskip("course_lib.data"), "load_fashion_mnist")  # data present in CI via apt
    loader = fw.data.fashion_mnist_batches("test", batch_size=50, shuffle=False, limit=200)
    x, y = next(iter(loader))
    from course_lib.data import load_fashion_mnist

    images, labels = load_fashion_mnist("test")
    np.testing.assert_array_equal(fw.data.to_uint8_images(x), images[:50])
    np.testing.assert_array_equal(fw.utils.to_numpy(y), labels[:50])


def test_set_seed_makes_framework_sampling_reproducible(fw, framework):
    def draw():
        fw.utils.set_seed(7)
        if framework == "torch":
            import torch
            return torch.randn(3).numpy()
        import tensorflow as tf
        return tf.random.normal([3]).numpy()

    np.testing.assert_array_equal(draw(), draw())
    with pytest.raises(ValueError, match="non-negative integer"):
        fw.utils.set_seed(-1)
    assert ("cpu" in str(fw.utils.device()).lower() or "gpu" in str(fw.utils.device()).lower()
            or "cuda" in str(fw.utils.device()))
