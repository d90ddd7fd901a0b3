"""Notebook 06's library: coloured products, colour/diversity metrics, SeFa (against numpy's SVD), edits and
their measured effects, the style explorer's update, the twins' models (parity through the neutral weight
layout), a short training run per head, and the shipped-weights file check."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.controllable.sefa import (
    direction_effect,
    edit_latents,
    first_layer_weight,
    image_statistics,
    sefa_directions,
)
from course_lib.data.colour import PALETTE, luminance_ink, tint
from course_lib.errors import InputError
from course_lib.metrics import controllable as cm


def _items(n=12, seed=0):
    """Synthetic grey 'products': a filled rectangle of ink per image, random size."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        h, w = rng.integers(6, 20, 2)
        images[i, 14 - h // 2:14 + h // 2, 14 - w // 2:14 + w // 2] = rng.integers(150, 256)
    return images


def test_tint_keeps_white_background_and_full_ink_is_the_palette_colour():
    images = np.zeros((6, 28, 28), np.uint8)
    images[:, 10:20, 10:20] = 255
    rgb = tint(images, np.arange(6))
    assert rgb.shape == (6, 28, 28, 3) and rgb.dtype == np.uint8
    assert np.all(rgb[:, 0, 0] == 255)
    np.testing.assert_array_equal(rgb[:, 15, 15], PALETTE)
    with pytest.raises(InputError, match="colours must lie in"):
        tint(images, np.full(6, 6))
    with pytest.raises(InputError, match="uint8"):
        tint(images.astype(float), np.arange(6))


def test_luminance_ink_recovers_the_grey_shape_whatever_the_colour():
    grey = _items()
    colours = np.arange(12) % 6
    ink = luminance_ink(tint(grey, colours))
    assert np.all(ink[grey == 0] == 0)
    assert np.all(ink.reshape(12, -1).max(1) == 255)  # stretched like a Fashion-MNIST item
    np.testing.assert_array_equal(ink > 0, grey > 0)


def test_colour_accuracy_is_perfect_on_tinted_items_and_zero_on_grey_or_empty_ones():
    grey = _items(24)
    colours = np.arange(24) % 6
    rgb = tint(grey, colours)
    np.testing.assert_array_equal(cm.colour_predictions(rgb), colours)
    assert cm.colour_accuracy(rgb, colours) == 1.0
    assert cm.colour_accuracy(rgb, (colours + 1) % 6) == 0.0
    grey_rgb = np.repeat((255 - grey)[..., None], 3, axis=-1)  # no hue at all: no colour shown
    assert np.all(cm.colour_predictions(grey_rgb) == -1)
    table = cm.colour_accuracy_table(rgb, np.arange(24) % 10, colours)
    assert table["overall"] == 1.0 and set(table["per_colour"]) == {"red", "orange", "green", "teal", "blue",
                                                                     "purple"}


def test_rgb_to_hsv_matches_colorsys():
    import colorsys

    rgb = np.random.default_rng(0).integers(0, 256, (50, 3)).astype(np.uint8)
    ours = cm.rgb_to_hsv(rgb)
    for row, (h, s, v) in zip(ours, (colorsys.rgb_to_hsv(*(c / 255.0)) for c in rgb)):
        np.testing.assert_allclose(row, [h * 360.0 % 360.0, s, v], atol=1e-9)


def test_intra_class_diversity_and_per_class_recall():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    varied = rng.normal(size=(60, 4))
    collapsed = np.repeat(varied[::20], 20, axis=0) + 1e-3 * rng.normal(size=(60, 4))
    assert cm.intra_class_diversity(varied, labels, 3)["mean"] > 100 * cm.intra_class_diversity(collapsed, labels,
                                                                                                  3)["mean"]
    pair = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert cm.intra_class_diversity(pair, np.array([0, 0]), 1)["per_class"] == [5.0]
    pr = cm.per_class_precision_recall(varied, labels, collapsed, labels, num_classes=3)
    full = cm.per_class_precision_recall(varied, labels, varied, labels, num_classes=3)
    assert full["mean_recall"] == 1.0 and pr["mean_recall"] < 0.5


def test_sefa_directions_are_the_right_singular_vectors_of_w():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(40, 8)) * np.linspace(3, 0.2, 8)
    directions, values = sefa_directions(w, 4)
    _, singular, vt = np.linalg.svd(w)
    np.testing.assert_allclose(values, singular[:4] ** 2, rtol=1e-10)
    np.testing.assert_allclose(np.abs((directions * vt[:4]).sum(1)), 1.0, atol=1e-10)  # equal up to sign
    np.testing.assert_allclose(np.linalg.norm(w @ directions.T, axis=0), singular[:4], rtol=1e-10)
    assert np.all(directions[np.arange(4), np.abs(directions).argmax(1)] > 0)  # the documented sign convention
    assert first_layer_weight({"dense.kernel": w.T}).shape == (40, 8)
    with pytest.raises(InputError, match="k must be"):
        sefa_directions(w, 9)


def test_edits_move_z_linearly_and_a_direction_is_labelled_by_what_it_changes():
    z = np.zeros((3, 2))
    edited = edit_latents(z, [1.0, 0.0], [-1, 0, 2])
    np.testing.assert_allclose(edited[:, 0, 0], [-1, 0, 2])

    def render(zs, classes, colours):  # a toy generator: z[0] sets the rectangle's width, z[1] nothing
        grey = np.zeros((len(zs), 28, 28), np.uint8)
        for i, value in enumerate(zs[:, 0]):
            half = int(np.clip(6 + 2 * value, 1, 13))
            grey[i, 8:20, 14 - half:14 + half] = 200
        return tint(grey, colours)

    effect = direction_effect(render, np.zeros((4, 2)), np.zeros(4, int), np.arange(4), [1.0, 0.0], [-2, -1, 0, 1, 2])
    assert effect["label"] in ("width", "ink mass") and effect["monotone"]["width"]
    assert effect["spearman"]["width"] == pytest.approx(1.0)
    flat = direction_effect(render, np.zeros((4, 2)), np.zeros(4, int), np.arange(4), [0.0, 1.0], [-2, 0, 2])
    assert flat["label"] is None
    stats = image_statistics(render(np.array([[0.0, 0], [2.0, 0]]), None, np.array([0, 0])))
    assert stats["width"][1] > stats["width"][0] and stats["height"][1] == pytest.approx(stats["height"][0])


def test_update_style_adds_the_slider_amounts_and_headless_gets_a_figure(monkeypatch):
    from course_lib.viz import controllable as viz

    seen = {}

    def render(z, classes, colours):
        seen.update(z=z, classes=classes, colours=colours)
        return np.zeros((1, 28, 28, 3), np.uint8)

    directions = np.eye(3)[:2]
    viz.update_style(render, np.ones(3), 4, 2, directions, [0.5, -1.0])
    np.testing.assert_allclose(seen["z"][0], [1.5, 0.0, 1.0])
    assert seen["classes"].tolist() == [4] and seen["colours"].tolist() == [2]
    with pytest.raises(InputError, match="directions must be"):
        viz.update_style(render, np.ones(3), 0, 0, directions, [0.5])
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    import matplotlib

    matplotlib.use("Agg")
    static = viz.style_widget(render, np.ones(3), directions, ["width", "ink mass"], list("abcde"), list("xyz"))
    assert isinstance(static.figure, matplotlib.figure.Figure)


def test_style_widget_redraws_when_a_control_moves():
    pytest.importorskip("ipywidgets")
    import matplotlib

    from course_lib.viz import controllable as viz

    matplotlib.use("Agg")
    seen = []

    def render(z, classes, colours):
        seen.append((z[0].copy(), int(classes[0]), int(colours[0])))
        return np.full((1, 28, 28, 3), len(seen), np.uint8)

    directions = np.eye(3)[:2]
    box = viz.style_widget(render, np.zeros(3), directions, ["width", "ink mass"], list("abcde"), list("xyz"),
                           class_index=1, colour_index=2, widgets=True)
    class_menu, colour_menu, first, second = box.controls
    assert seen[-1][1:] == (1, 2)
    second.value = 1.5
    np.testing.assert_allclose(seen[-1][0], [0.0, 1.5, 0.0])
    class_menu.value, colour_menu.value = 4, 0
    assert seen[-1][1:] == (4, 0) and box.image[0, 0, 0] == len(seen)


def test_twins_generators_agree_through_the_neutral_weight_layout():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    import torch

    from course_lib.tf import controllable as tfc
    from course_lib.torch import controllable as tc

    torch.manual_seed(0)
    g = tc.ControllableGenerator(8, 8)
    weights = {k: v + np.random.default_rng(1).normal(0, 0.1, v.shape).astype(np.float32)
               for k, v in tc.generator_weights(g).items()}
    weights.update({f"bn{i}.var": np.abs(weights[f"bn{i}.var"]) + 0.5 for i in range(3)})
    tc.load_generator_weights(g, weights)
    tg = tfc.load_generator_weights(tfc.ControllableGenerator(8, 8), weights)
    for key, value in tfc.generator_weights(tg).items():
        np.testing.assert_array_equal(value, weights[key])
    z = np.random.default_rng(2).normal(size=(6, 8)).astype(np.float32)
    classes, colours = np.array([0, 3, 9, 1, 1, 5]), np.array([0, 1, 2, 3, 4, 5])
    with torch.no_grad():
        a = g.eval()(torch.from_numpy(z), torch.from_numpy(classes), torch.from_numpy(colours)).permute(0, 2, 3, 1)
    b = tg(z, classes, colours, training=False).numpy()
    np.testing.assert_allclose(a.numpy(), b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(tc.sample_images(g, classes, colours, seed=3), tfc.sample_images(tg, classes,
                                                                                                  colours, seed=3))
    with pytest.raises(InputError, match="exactly the keys"):
        tc.load_generator_weights(g, {"dense.kernel": weights["dense.kernel"]})
    with pytest.raises(InputError, match="colours must lie"):
        tfc.generate_images(tg, z, classes, colours + 1)


@pytest.mark.parametrize("head", ["projection", "acgan"])
def test_discriminator_outputs_and_a_short_training_run(fw, head):
    from course_lib.controllable.config import ControllableGANConfig
    from course_lib.errors import ConfigError

    config = ControllableGANConfig(head=head, width=8, latent_dim=8, batch_size=8, steps=3, log_every=1,
                                   compile="yes")  # the tf.function path (a notebook's quick mode runs eagerly)
    _, d = fw.controllable_train.build_models(config)
    x = np.zeros((4, 3, 28, 28) if fw.FRAMEWORK == "torch" else (4, 28, 28, 3), np.float32)
    as_tensor = (lambda a: __import__("torch").from_numpy(a)) if fw.FRAMEWORK == "torch" else (lambda a: a)
    score, class_logits, colour_logits = d(as_tensor(x), as_tensor(np.arange(4)), as_tensor(np.arange(4)))
    assert tuple(score.shape) == (4,)
    if head == "acgan":
        assert tuple(class_logits.shape) == (4, 10) and tuple(colour_logits.shape) == (4, 6)
    else:
        assert class_logits is None and colour_logits is None
    images = tint(_items(16), np.arange(16) % 6)
    logged = []
    result = fw.controllable_train.train_controllable_gan(config, images, np.arange(16) % 10, np.arange(16) % 6,
                                                          on_log=lambda step, g: logged.append(step))
    assert [h["step"] for h in result["history"]] == [1, 2, 3] == logged
    assert all(np.isfinite(h["d_loss"]) and np.isfinite(h["g_loss"]) for h in result["history"])
    out = fw.controllable.sample_images(result["ema_generator"], np.arange(5), np.arange(5), seed=0)
    assert out.shape == (5, 28, 28, 3) and out.dtype == np.uint8
    with pytest.raises(ConfigError, match="head"):
        ControllableGANConfig(head="cgan")


def test_shipped_weights_file_is_checked(tmp_path):
    from course_lib.controllable.weights import load_shipped_generators, save_generators

    digest = save_generators(tmp_path / "g.npz", {"acgan": {"dense.kernel": np.ones((2, 3))}}, {"steps": 5})
    generators, meta = load_shipped_generators(tmp_path / "g.npz", sha256=digest)
    assert meta == {"steps": 5} and generators["acgan"]["dense.kernel"].shape == (2, 3)
    with pytest.raises(InputError, match="SHA-256"):
        load_shipped_generators(tmp_path / "g.npz", sha256="0" * 64)
