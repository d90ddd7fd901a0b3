"""Pictures of the restoration notebook: side-by-side crops, the perception-distortion plane and the slider that
mixes the L1 and the adversarial restorations (numpy in, matplotlib figures out).

The slider follows the course's explorer pattern: `tradeoff_frame` is the update (plain numpy, tested headless);
`tradeoff_slider` draws a static figure from it first (what papermill, nbval and the grader keep) and adds the
ipywidgets control only where course_lib.viz.frontend finds a widget front end, so a headless run never
waits on one.
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.errors import InputError

__all__ = ["mix_images", "plot_perception_distortion", "side_by_side", "tradeoff_curve",
           "tradeoff_frame", "tradeoff_slider"]


def _uint8_batch(images, name) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise InputError(f"{name} must be uint8 images [N, H, W]; got {images.dtype} {images.shape}.")
    return images


def side_by_side(rows: dict, n: int = 6, crop=None, title: str = "Restorations side by side"):
    """One row per method ({name: uint8 [N, H, W]}), n images across; `crop` = (top, left, size) zooms in.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    rows = {name: _uint8_batch(images, f"rows[{name!r}]") for name, images in rows.items()}
    n = min(n, *(len(images) for images in rows.values()))
    fig, axes = plt.subplots(len(rows), n, figsize=(1.3 * n + 1.2, 1.3 * len(rows) + 0.5), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(n):
            picture = images[c]
            if crop is not None:
                top, left, size = crop
                picture = picture[top:top + size, left:left + size]
            axes[r, c].imshow(picture, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title + (f" (crop {crop[2]}x{crop[2]} at row {crop[0]}, column {crop[1]})" if crop else ""))
    fig.tight_layout()
    return fig


def mix_images(first, second, alpha: float) -> np.ndarray:
    """(1 - alpha) * first + alpha * second, per pixel, rounded to uint8; alpha in [0, 1]."""
    first, second = _uint8_batch(first, "first"), _uint8_batch(second, "second")
    if first.shape != second.shape:
        raise InputError(f"first and second must have the same shape; got {first.shape} and {second.shape}.")
    if not 0.0 <= float(alpha) <= 1.0:
        raise InputError(f"alpha must lie in [0, 1] (0: first, 1: second); got {alpha!r}.")
    mixed = (1.0 - float(alpha)) * first.astype(np.float64) + float(alpha) * second.astype(np.float64)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def tradeoff_frame(alpha: float, l1_images, adversarial_images, measure) -> dict:
    """The slider's update: mix the two restorations at `alpha` and measure the mix.

    Args:
        alpha: 0 gives the L1 model's images, 1 the adversarial model's.
        l1_images, adversarial_images: uint8 [N, H, W], the same photos in the same order.
        measure: function uint8 images -> dict of numbers (e.g. PSNR, SSIM and FID of a restoration).
    Returns:
        {"alpha", "images" (uint8 [N, H, W]), **measure(images)}.
    """
    images = mix_images(l1_images, adversarial_images, alpha)
    return {"alpha": float(alpha), "images": images, **measure(images)}


def tradeoff_curve(alphas, l1_images, adversarial_images, measure) -> list[dict]:
    """`tradeoff_frame` at each alpha, without the images: the path the slider walks."""
    frames = [tradeoff_frame(a, l1_images, adversarial_images, measure) for a in alphas]
    return [{k: v for k, v in frame.items() if k != "images"} for frame in frames]


def plot_perception_distortion(points: dict, curve=None, distortion="psnr", perception="fid_course", ax=None):
    """The perception-distortion plane (Blau & Michaeli 2018, arXiv 1711.06077) on our own numbers.

    Args:
        points: {name: table row} with the `distortion` and `perception` keys (e.g. the notebook's table).
        curve: optional list of rows from `tradeoff_curve` (with "alpha"), drawn as a line.
        distortion: the x key; "psnr" and "ssim" are drawn with the axis reversed, so that less distortion is
            always to the left. perception: the y key (lower is better, e.g. "fid_course").
    Returns:
        The axis.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.8))
    if curve:
        xs, ys = [row[distortion] for row in curve], [row[perception] for row in curve]
        ax.plot(xs, ys, "-", color="grey", zorder=1, label="mix of L1 and adversarial (slider)")
        for row in (curve[0], curve[-1]):
            ax.annotate(f"alpha={row['alpha']:.1f}", (row[distortion], row[perception]), fontsize=7,
                        textcoords="offset points", xytext=(4, -10))
    for name, row in points.items():
        ax.scatter(row[distortion], row[perception], s=50, zorder=2, label=name)
    if distortion in ("psnr", "ssim"):
        ax.invert_xaxis()
    ax.set_xlabel(f"{distortion.upper()} (distortion: better to the left)")
    ax.set_ylabel(f"{perception} (perception: better lower)")
    ax.set_title("Perception-distortion trade-off")
    ax.legend(fontsize=7)
    return ax


def tradeoff_slider(l1_images, adversarial_images, measure, alphas=(0.0, 0.25, 0.5, 0.75, 1.0), n: int = 6,
                    widgets=None):
    """A strip of mixes at each alpha (static, always drawn), plus an alpha slider where a person can move it.

    `measure` sees all the images at each alpha; the figure shows the first n.

    Headless runs (papermill, nbval, the grader: see course_lib.viz.frontend) keep the static figure and never
    create a widget; with a widget front end, or `widgets=True`, a FloatSlider redraws with `tradeoff_frame`.
    Returns:
        (figure, widget or None, curve): the curve is `tradeoff_curve` at `alphas`, measured once for the strip.
    """
    import matplotlib.pyplot as plt

    frames = [tradeoff_frame(a, l1_images, adversarial_images, measure) for a in alphas]  # measured on all images
    rows = {f"alpha={f['alpha']:.2f}\nPSNR {f.get('psnr', float('nan')):.1f}": f["images"][:n] for f in frames}
    fig = side_by_side(rows, n=n, title="From L1 (alpha=0) to adversarial (alpha=1)")
    curve = [{k: v for k, v in frame.items() if k != "images"} for frame in frames]
    from course_lib.viz.frontend import widgets_available

    if not widgets_available(widgets):
        return fig, None, curve
    import ipywidgets as widgets

    output = widgets.Output()
    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="alpha")

    def redraw(change=None):
        frame = tradeoff_frame(slider.value, l1_images, adversarial_images, measure)
        numbers = ", ".join(f"{k} {v:.3g}" for k, v in frame.items() if k not in ("alpha", "images"))
        with output:
            output.clear_output(wait=True)
            side_by_side({f"alpha={frame['alpha']:.2f}": frame["images"][:n]}, n=n, title=numbers)
            plt.show()

    slider.observe(redraw, names="value")
    redraw()
    return fig, widgets.VBox([slider, output]), curve
