"""Figures and the style explorer of notebook 06: the (class x colour) grid, edits along discovered directions,
and a diagram of where the field went. numpy in, matplotlib figures out.

The explorer follows the course pattern: a tested update function (`update_style`) does the work; the widget
is a thin shell around it; headless runs (papermill, nbval, the grader) get a static figure and never wait on a
widget front end.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.errors import InputError

__all__ = ["colour_grid", "field_map", "style_strip", "style_widget", "update_style"]


def colour_grid(images, classes, colours, class_names, colour_names, title="Class x colour on command"):
    """One row per class, one column per colour: uint8 RGB images [N, 28, 28, 3] placed by (classes, colours),
    drawn as one picture (a white cell where a pair is missing)."""
    import matplotlib.pyplot as plt

    classes, colours, pad = np.asarray(classes), np.asarray(colours), 2
    cell = 28 + pad
    sheet = np.full((len(class_names) * cell + pad, len(colour_names) * cell + pad, 3), 255, np.uint8)
    for k in range(len(class_names)):
        for p in range(len(colour_names)):
            match = np.flatnonzero((classes == k) & (colours == p))
            if len(match):
                sheet[pad + k * cell:pad + k * cell + 28, pad + p * cell:pad + p * cell + 28] = images[match[0]]
    fig, ax = plt.subplots(figsize=(0.75 * len(colour_names) + 1.6, 0.75 * len(class_names) + 0.6))
    ax.imshow(sheet)
    centres = lambda n: pad + cell * np.arange(n) + 14
    ax.set_xticks(centres(len(colour_names)), colour_names, fontsize=8)
    ax.set_yticks(centres(len(class_names)), class_names, fontsize=8)
    ax.set_xlabel("requested colour"), ax.set_ylabel("requested class"), ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def update_style(render, z, class_index, colour_index, directions, amounts) -> np.ndarray:
    """The explorer's update: G(z + sum_i amounts[i] * directions[i], class, colour) as uint8 RGB [28, 28, 3].

    Args:
        render: function (z float32 [N, D], classes [N], colours [N]) -> uint8 RGB [N, 28, 28, 3].
        z: one latent [D]. directions: [K, D]. amounts: K slider values.
    """
    z, directions = np.asarray(z, np.float64).reshape(-1), np.atleast_2d(np.asarray(directions, np.float64))
    amounts = np.asarray(amounts, np.float64).reshape(-1)
    if directions.shape != (len(amounts), len(z)):
        raise InputError(f"directions must be [K, D] = [{len(amounts)}, {len(z)}] for {len(amounts)} amounts and "
                         f"a latent of size {len(z)}; got {directions.shape}.")
    edited = (z + amounts @ directions).astype(np.float32)[None]
    return np.asarray(render(edited, np.array([int(class_index)]), np.array([int(colour_index)])))[0]


def style_strip(render, z, class_index, colour_index, directions, labels, alphas=(-3, -1.5, 0, 1.5, 3)):
    """Static figure: one row per direction, the product edited by each alpha along it (what headless runs show)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(directions), len(alphas),
                             figsize=(1.1 * len(alphas) + 1.6, 1.1 * len(directions) + 0.5), squeeze=False)
    for row, (_, label) in enumerate(zip(directions, labels)):
        for col, alpha in enumerate(alphas):
            amounts = np.zeros(len(directions))
            amounts[row] = alpha
            axes[row, col].imshow(update_style(render, z, class_index, colour_index, directions, amounts))
            axes[row, col].set_xticks([]), axes[row, col].set_yticks([])
            if row == 0:
                axes[row, col].set_title(f"alpha = {alpha:+g}", fontsize=8)
        axes[row, 0].set_ylabel(f"n{row + 1}:\n{label}", fontsize=8, rotation=0, ha="right", va="center")
    fig.suptitle("Editing z along the discovered directions (labels: what each measurably changes)")
    fig.tight_layout()
    return fig


def style_widget(render, z, directions, labels, class_names, colour_names, class_index=0, colour_index=0,
                 widgets=None):
    """Sliders along the directions, a class menu and a colour menu; the picture comes from `update_style`.

    Without a widget front end (papermill, nbval, the grader: see course_lib.viz.frontend) it shows the static
    `style_strip` figure once and returns a StaticView; `widgets` True or False forces either. The widget's
    `.image` holds the last frame (what a headless test reads).
    """
    import matplotlib.pyplot as plt

    from course_lib.viz.frontend import redraw_output, show_static, widgets_available

    if not widgets_available(widgets):
        return show_static(style_strip(render, z, class_index, colour_index, directions, labels))
    import ipywidgets as widgets

    sliders = [widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description=f"n{i + 1}",
                                   tooltip=label) for i, label in enumerate(labels)]
    class_menu = widgets.Dropdown(options=[(n, i) for i, n in enumerate(class_names)], value=class_index,
                                  description="class")
    colour_menu = widgets.Dropdown(options=[(n, i) for i, n in enumerate(colour_names)], value=colour_index,
                                   description="colour")
    output = widgets.Output()
    box = widgets.VBox([widgets.HBox([class_menu, colour_menu]), *sliders, output])

    def draw():
        fig, ax = plt.subplots(figsize=(2.6, 2.6))
        ax.imshow(box.image)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"{class_names[class_menu.value]}, {colour_names[colour_menu.value]}", fontsize=9)

    def redraw(_=None):
        amounts = [slider.value for slider in sliders]
        box.image = update_style(render, z, class_menu.value, colour_menu.value, directions, amounts)
        redraw_output(output, draw)

    for control in (class_menu, colour_menu, *sliders):
        control.observe(redraw, names="value")
    box.controls = (class_menu, colour_menu, *sliders)
    redraw()
    return box


def field_map():
    """A diagram of where controllable generation went after this notebook (prose in the notebook)."""
    import matplotlib.pyplot as plt

    boxes = [
        (0.05, 0.70, "This notebook\nG(z, y, c): class and colour\nvia conditional BatchNorm;\nprojection or ACGAN D"),
        (0.05, 0.30, "SeFa / GANSpace\ndirections in z,\nno labels, closed form"),
        (0.40, 0.70, "Progressive growing\n(arXiv 1710.10196)\n4x4 -> 1024x1024,\nlayers added in training"),
        (0.40, 0.30, "StyleGAN (arXiv 1812.04948)\nmapping network z -> w,\n"
                     "style modulation per layer;\nunconditional"),
        (0.75, 0.70, "Text-conditioned models\nGAN-INT-CLS (1605.05396),\n"
                     "diffusion with text\n(2112.10752, 2204.06125)"),
        (0.75, 0.30, "StyleGAN2 / 3\n(1912.04958, 2106.12423)\nweight demodulation,\nalias-free layers"),
    ]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for x, y, text in boxes:
        ax.text(x + 0.1, y, text, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "#eef3fb", "edgecolor": "#4a6fa5"})
    for (x0, y0), (x1, y1) in [((0.28, 0.70), (0.37, 0.70)), ((0.28, 0.30), (0.37, 0.30)),
                               ((0.50, 0.58), (0.50, 0.44)), ((0.63, 0.30), (0.72, 0.30)),
                               ((0.63, 0.70), (0.72, 0.70))]:
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#4a6fa5"})
    ax.set_xlim(0, 1), ax.set_ylim(0.05, 0.95), ax.axis("off")
    ax.set_title("Where controllable generation went: conditions, discovered directions, styles, text")
    return fig
