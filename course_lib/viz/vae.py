"""Plots and the latent explorer of notebook 03 (numpy in, figures out; no framework imports).

A "decode function" below is any callable z [N, d] -> images [N, 28, 28] in [0, 1], e.g.
`lambda z: fw.vae_models.decode_latents(model, z)`.

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.viz.product import image_grid as tile_images

__all__ = [
    "image_grid",
    "interpolate_latents",
    "latent_explorer",
    "latent_explorer_frame",
    "per_class_latents",
    "plot_elbo_gap",
    "plot_kl_per_dim",
    "plot_rate_distortion",
    "plot_training",
]


def _axes(ax, figsize=(5, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def interpolate_latents(z_start, z_end, steps) -> np.ndarray:
    """Straight line z(t) = (1 - t) z_start + t z_end at `steps` evenly spaced t in [0, 1], shape [steps, d]."""
    z_start, z_end = np.asarray(z_start, np.float64), np.asarray(z_end, np.float64)
    if z_start.shape != z_end.shape or z_start.ndim != 1:
        raise ValueError(f"z_start and z_end must be vectors of the same length; got {z_start.shape}, {z_end.shape}.")
    t = np.linspace(0.0, 1.0, int(steps))[:, None]
    return (1.0 - t) * z_start + t * z_end


def latent_explorer_frame(decode, z_start, z_end, t, dim=None, offset=0.0) -> np.ndarray:
    """The explorer's update: the image at z = (1 - t) z_start + t z_end, with `offset` added to latent `dim`.

    Args:
        decode: z [N, d] -> images [N, H, W] in [0, 1].
        z_start, z_end: latent vectors [d] (e.g. posterior means of two products).
        t: position on the line, in [0, 1].
        dim: a latent dimension to traverse (None: none).
        offset: how far to move along `dim`, in prior standard deviations.
    Returns:
        One image [H, W] in [0, 1].
    """
    if not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"t must lie in [0, 1]; got {t}.")
    z = (1.0 - float(t)) * np.asarray(z_start, np.float64) + float(t) * np.asarray(z_end, np.float64)
    if dim is not None:
        if not 0 <= int(dim) < z.shape[0]:
            raise ValueError(f"dim must be a latent dimension in [0, {z.shape[0] - 1}]; got {dim}.")
        z[int(dim)] += float(offset)
    return np.asarray(decode(z[None].astype(np.float32)))[0]


def latent_explorer(decode, z_start, z_end, titles=("start", "end"), widgets=None):
    """An ipywidgets explorer: a slider along the line between two products and a traversal of one dimension.

    Returns the widget (display it in the notebook); its `update(t, dim, offset)` redraws, and
    `.image` holds the last frame (what a headless test reads). Without a widget front end (papermill, nbval,
    the grader: see course_lib.viz.frontend) it draws the midpoint once and returns a StaticView with `.image`;
    `widgets` True or False forces either.
    """
    import matplotlib.pyplot as plt

    from course_lib.viz.frontend import redraw_output, show_static, widgets_available

    if not widgets_available(widgets):
        image = latent_explorer_frame(decode, z_start, z_end, 0.5)
        fig, ax = plt.subplots(figsize=(2.5, 2.5))
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"{titles[0]} -> {titles[1]}, t = 0.50", fontsize=8)
        ax.axis("off")
        return show_static(fig, image=image)
    import ipywidgets as widgets

    d = int(np.asarray(z_start).shape[0])
    t_slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="t")
    # a dimension is always chosen (offset 0 leaves z alone), so every control visibly does something
    dim_box = widgets.Dropdown(options=[(str(j), j) for j in range(d)], value=0, description="latent dim")
    offset_slider = widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description="offset")
    output = widgets.Output()
    box = widgets.VBox([widgets.HBox([t_slider, dim_box, offset_slider]), output])

    def update(t, dim, offset):
        image = latent_explorer_frame(decode, z_start, z_end, t, dim, offset)
        box.image = image

        def draw():
            fig, ax = plt.subplots(figsize=(2.5, 2.5))
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set_title(f"{titles[0]} -> {titles[1]}, t = {t:.2f}", fontsize=8)
            ax.axis("off")

        redraw_output(output, draw)
        return image

    def on_change(_):
        update(t_slider.value, dim_box.value, offset_slider.value)

    for control in (t_slider, dim_box, offset_slider):
        control.observe(on_change, names="value")
    box.update = update
    box.controls = (t_slider, dim_box, offset_slider)
    update(t_slider.value, dim_box.value, offset_slider.value)
    return box


def per_class_latents(mu, labels, n_per_class, seed=0, scale=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Latents for samples per class: z ~ N(m_c, diag(scale * s_c^2)), m_c, s_c the mean and std of the
    posterior means of class c (an unconditional VAE has no label input; this borrows the encoder's map).

    Args:
        mu: posterior means [N, d]; labels: int [N]; n_per_class: samples per class; seed; scale.
    Returns:
        (z [C * n_per_class, d], class of each row [C * n_per_class]).
    """
    mu, labels = np.asarray(mu, np.float64), np.asarray(labels)
    rng = np.random.default_rng(seed)
    zs, ys = [], []
    for c in np.unique(labels):
        group = mu[labels == c]
        zs.append(group.mean(0) + np.sqrt(scale) * group.std(0) * rng.standard_normal((n_per_class, mu.shape[1])))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(zs), np.concatenate(ys)


def image_grid(images, ncols=10, row_titles=None, title="", ax=None):
    """Images [N, H, W] (grey levels 0-255, or floats in [0, 1]) tiled in rows of `ncols` on one axis."""
    images = np.asarray(images, np.float64)
    grey = images if images.max() > 1.0 else images * 255.0
    pad, (n, h, _) = 2, images.shape
    nrows = -(-n // ncols)
    canvas = tile_images(np.clip(np.rint(grey), 0, 255).astype(np.uint8), ncols, pad=pad)
    ax = _axes(ax, figsize=(ncols * 0.7, nrows * 0.75))
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=255)
    ax.set_xticks([])
    ax.set_yticks([pad + r * (h + pad) + h / 2 for r in range(nrows)] if row_titles else [])
    if row_titles:
        ax.set_yticklabels(row_titles, fontsize=7)
    ax.set_title(title)
    return ax


def plot_training(history, title="VAE training", ax=None):
    """ELBO, reconstruction and KL (nats per image) against the step."""
    ax = _axes(ax)
    steps = np.asarray(history["step"])
    for key in ("elbo", "reconstruction"):
        ax.plot(steps, history[key], label=key, lw=1)
    ax.plot(steps, -np.asarray(history["kl"]), label="-KL", lw=1)
    ax.set(title=title, xlabel="step", ylabel="nats per image")
    ax.legend(fontsize=8)
    return ax


def plot_elbo_gap(elbo_history, exact, title="Linear VAE: ELBO gap to the pPCA log-likelihood", ax=None):
    """log10 of (exact pPCA log-likelihood - ELBO), nats per point, against the step."""
    ax = _axes(ax)
    gap = np.maximum(exact - np.asarray(elbo_history, np.float64), 1e-12)
    ax.semilogy(np.arange(len(gap)), gap)
    ax.axhline(1e-2, color="gray", ls="--", lw=1, label="1e-2 nats")
    ax.set(title=title, xlabel="Adam step", ylabel="log p_pPCA(x) - ELBO (nats per point)")
    ax.legend(fontsize=8)
    return ax


def plot_rate_distortion(rates, distortions, betas, title="beta-VAE: rate against distortion", ax=None):
    """Each beta as a point (rate = KL, distortion = -log p(x|z), nats per image), with the -ELBO lines."""
    ax = _axes(ax)
    rates, distortions = np.asarray(rates), np.asarray(distortions)
    ax.plot(rates, distortions, "o-")
    for r, d, b in zip(rates, distortions, betas):
        ax.annotate(f"beta={b:g}", (r, d), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set(title=title, xlabel="rate: KL(q(z|x) || p(z)) (nats)", ylabel="distortion: -log p(x|z) (nats)")
    return ax


def plot_kl_per_dim(kl_by_run, title="KL per latent dimension (sorted)", ax=None):
    """Mean KL per latent dimension for several runs {name: [d]}, sorted descending; near 0 = collapsed."""
    ax = _axes(ax)
    names = list(kl_by_run)
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        values = np.sort(np.asarray(kl_by_run[name]))[::-1]
        ax.bar(np.arange(len(values)) + i * width, values, width=width, label=name)
    ax.axhline(0.01, color="gray", ls="--", lw=1)
    ax.set(title=title, xlabel="latent dimension (sorted by KL)", ylabel="mean KL (nats)")
    ax.legend(fontsize=8)
    return ax
