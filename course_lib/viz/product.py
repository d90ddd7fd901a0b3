"""Pictures of the product-image project: sample grids, the catalogue sheet, the truncation trade-off, the
nearest-training-neighbour check and the latent interpolation widget (numpy in, figures/PNGs out).

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from course_lib.errors import InputError

__all__ = ["catalogue_sheet", "plot_losses", "image_grid", "interpolation_widget", "plot_nearest_neighbours",
           "plot_truncation_tradeoff", "save_png", "save_sample_grid", "update_interpolation"]


def image_grid(images, ncols: int, pad: int = 2, background: int = 255) -> np.ndarray:
    """uint8 [N, H, W] -> one uint8 [rows*(H+pad)+pad, ncols*(W+pad)+pad] picture, row by row."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"image_grid takes uint8 [N, H, W]; got {images.dtype} {images.shape}.")
    n, h, w = images.shape
    rows = max(1, -(-n // ncols))
    grid = np.full((rows * (h + pad) + pad, ncols * (w + pad) + pad), background, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        grid[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = image
    return grid


def save_png(path, picture) -> Path:
    """Save a uint8 [H, W] grey picture as PNG, atomically."""
    import matplotlib.image

    from course_lib.atomic import write_bytes_atomic

    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, np.asarray(picture), cmap="gray", vmin=0, vmax=255, format="png")
    return write_bytes_atomic(path, buffer.getvalue())


def save_sample_grid(images, run_dir, step: int) -> Path:
    """run_dir/samples.png (latest) and run_dir/samples/step_<step>.png from uint8 [80, 28, 28] (10 classes x 8)."""
    picture = image_grid(images, ncols=8)
    save_png(Path(run_dir) / "samples" / f"step_{step:08d}.png", picture)
    return save_png(Path(run_dir) / "samples.png", picture)


def catalogue_sheet(images, labels, class_names, path=None, title="Product catalogue"):
    """A figure with one row per class (its name on the left) and the class's images across; saved to `path`.

    Args:
        images: uint8 [N, 28, 28]; labels: int [N] (each class the same number of times).
    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    labels = np.asarray(labels)
    classes = np.unique(labels)
    per_class = int(np.max([np.sum(labels == c) for c in classes]))
    fig, axes = plt.subplots(len(classes), 1, figsize=(per_class * 0.7 + 1.8, len(classes) * 0.75 + 0.6))
    axes = np.atleast_1d(axes)
    for ax, c in zip(axes, classes):
        ax.imshow(image_grid(images[labels == c], ncols=per_class, pad=1), cmap="gray", vmin=0, vmax=255)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_ylabel(class_names[c], rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        from course_lib.atomic import write_bytes_atomic

        write_bytes_atomic(path, buffer.getvalue())
    return fig


def plot_losses(histories: dict, ax=None):
    """D and G losses against the step for each run in {name: history} (history from train_product_gan)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for name, history in histories.items():
        line, = ax.plot(history["step"], history["d_loss"], label=f"{name}: D loss")
        ax.plot(history["step"], history["g_loss"], "--", color=line.get_color(), label=f"{name}: G loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("Training losses")
    ax.legend(fontsize=8)
    return ax


def plot_truncation_tradeoff(truncations, fidelity, diversity, fidelity_label="precision",
                             diversity_label="recall", ax=None):
    """Fidelity and diversity (e.g. precision and recall, course classifier) against the truncation threshold."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(truncations, fidelity, "o-", label=fidelity_label)
    ax.plot(truncations, diversity, "s-", label=diversity_label)
    ax.set_xlabel("truncation threshold t (|z_i| <= t)")
    ax.set_ylabel("fraction")
    ax.set_title("Truncation trick: fidelity versus diversity")
    ax.legend()
    return ax


def plot_nearest_neighbours(generated, neighbours, distances, n: int = 8):
    """Generated images (top row) above their nearest training images (bottom row), distances as titles."""
    import matplotlib.pyplot as plt

    n = min(n, len(generated))
    fig, axes = plt.subplots(2, n, figsize=(1.2 * n, 2.8))
    axes = np.asarray(axes).reshape(2, n)
    for i in range(n):
        axes[0, i].imshow(generated[i], cmap="gray", vmin=0, vmax=255)
        axes[0, i].set_title(f"d={distances[i]:.1f}", fontsize=8)
        axes[1, i].imshow(neighbours[i], cmap="gray", vmin=0, vmax=255)
        for ax in axes[:, i]:
            ax.set_xticks([]), ax.set_yticks([])
    axes[0, 0].set_ylabel("generated")
    axes[1, 0].set_ylabel("nearest\ntraining")
    fig.suptitle("Memorisation check: each sample and its nearest training image (pixel distance)")
    fig.tight_layout()
    return fig


def update_interpolation(render, z0, z1, label: int, t: float, mode: str = "slerp") -> np.ndarray:
    """The widget's update: the image at t in [0, 1] on the path z0 -> z1 for class `label`.

    Args:
        render: function (z float32 [N, D], labels int [N]) -> uint8 images [N, 28, 28] (e.g. a generator wrapper).
    Returns:
        uint8 [28, 28].
    """
    from course_lib.latents import interpolate_latents

    if not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"t must be in [0, 1]; got {t}.")
    z = interpolate_latents(z0, z1, t, mode)[None]
    return np.asarray(render(z, np.array([int(label)])))[0]


def interpolation_widget(render, z0, z1, class_names, label: int = 0, widgets=None):
    """ipywidgets explorer: a slider for t and a class menu; the picture comes from `update_interpolation`.

    Without a widget front end (papermill, nbval, the grader: see course_lib.viz.frontend) it draws the picture
    at t = 0 and returns a StaticView; `widgets` True or False forces either.
    """
    import matplotlib.pyplot as plt

    from course_lib.viz.frontend import redraw_output, show_static, widgets_available

    if not 0 <= int(label) < len(class_names):
        raise InputError(f"label: expected a class index in [0, {len(class_names)}); got {label!r}.")

    def draw(image, title):
        fig, ax = plt.subplots(figsize=(2.5, 2.5))
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(title)
        return fig

    if not widgets_available(widgets):
        image = update_interpolation(render, z0, z1, label, 0.0)
        return show_static(draw(image, f"{class_names[label]}, t = 0.00"), image=image)
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="t")
    menu = widgets.Dropdown(options=[(name, i) for i, name in enumerate(class_names)], value=label,
                            description="class")
    output = widgets.Output()
    box = widgets.VBox([slider, menu, output])

    def redraw(_=None):
        box.image = update_interpolation(render, z0, z1, menu.value, slider.value)
        redraw_output(output, lambda: draw(box.image, f"{class_names[menu.value]}, t = {slider.value:.2f}"))

    for control in (slider, menu):
        control.observe(redraw, names="value")
    box.controls = (slider, menu)
    redraw()
    return box
