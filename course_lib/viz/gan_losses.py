"""Figures and the loss explorer of notebooks/01_gan_losses.ipynb: numpy in, matplotlib figures out.

The explorer's update logic is `explorer_values` (plain numpy, tested headless); `loss_explorer` only wires it
to ipywidgets sliders. Used in: notebooks/01_gan_losses.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.config import GAN_LOSS_PAIRS
from course_lib.reference import losses as ref
from course_lib.reference.gan_theory import gaussian_pdf, generator_loss_derivative

__all__ = [
    "LOSS_COLORS",
    "LOSS_NAMES",
    "explorer_values",
    "loss_explorer",
    "plot_explorer",
    "plot_js_vs_wasserstein",
    "plot_loss_histories",
    "plot_optimal_discriminator",
    "plot_saturation",
    "plot_toy_samples",
]

LOSS_NAMES = tuple(GAN_LOSS_PAIRS)  # minimax, non_saturating, least_squares, hinge, wasserstein
_SIGMOID_LOSSES = ("minimax", "non_saturating")  # f is a logit; for the others a raw score
LOSS_COLORS = dict(zip(LOSS_NAMES, ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange"]))


def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_optimal_discriminator(x, p_data, p_g, d_star, title="The optimal discriminator D*"):
    """Densities p_data and p_g and D*(x) = p_data / (p_data + p_g) on one grid x [M]."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(x, p_data, color="black", label="p_data (real)")
    ax.plot(x, p_g, color="tab:red", label="p_g (generated)")
    ax2 = ax.twinx()
    ax2.plot(x, d_star, color="tab:blue", linestyle="--", label="D*(x)")
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("D*(x)")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_title(title)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_saturation(scores, curves, title="Generator losses and their gradients on a fake sample"):
    """Loss and |d loss / d f| against the discriminator's output f on a fake, one line per loss.

    f is a logit only for the sigmoid losses (minimax, non-saturating), where D(G(z)) = sigmoid(f); least squares,
    hinge and Wasserstein read f as a raw score. So the sigmoid scale is written inside the shaded band (for the
    sigmoid losses only) rather than as an axis that would claim it for every curve.

    Args:
        scores: f [M].
        curves: {loss name: (loss [M], derivative [M])}.
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, (loss, grad) in curves.items():
        color = LOSS_COLORS.get(name)
        style = "-" if name in _SIGMOID_LOSSES else "--"
        axes[0].plot(scores, loss, label=name, color=color, linestyle=style)
        axes[1].semilogy(scores, np.maximum(np.abs(grad), 1e-16), label=name, color=color, linestyle=style)
    axes[0].set_ylabel("generator loss")
    axes[0].set_ylim(-6, 8)
    axes[1].set_ylabel("|d loss / d f| (log scale)")
    reject = -4.0
    for ax in axes:
        ax.set_xlabel("D's output on a fake, f (solid: a logit; dashed: a score)")
        if scores.min() < reject:
            ax.axvspan(scores.min(), reject, color="0.9", zorder=0)
            ax.text((scores.min() + reject) / 2, 0.03, f"f < {reject:g}:\nsigmoid losses:\n"
                    f"D(G(z)) < {1 / (1 + np.exp(-reject)):.3f}", transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=7, color="0.3")
    axes[1].legend(fontsize=8, loc="lower right")
    axes[0].set_title("loss (shaded: D confidently rejects the fake)", fontsize=10)
    axes[1].set_title("gradient magnitude", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_js_vs_wasserstein(thetas, js, w, title="Two point masses at 0 and theta"):
    """JSD(delta_0, delta_theta) and W1(delta_0, delta_theta) against theta."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(thetas, js, color="tab:red", label="Jensen-Shannon divergence")
    ax.plot(thetas, w, color="tab:orange", label="Wasserstein-1 distance")
    ax.axhline(np.log(2), color="0.5", linestyle=":", label="log 2")
    ax.set_xlabel("theta (position of the generated point mass)")
    ax.set_ylabel("distance (nats for JS)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def explorer_values(mu, sigma, confidence, n=2000, seed=0):
    """Every loss and the generator's gradient for real ~ N(0, 1), fake ~ N(mu, sigma^2) and a fixed D.

    D is linear in x with its decision boundary halfway between the means: its output is
    f(x) = confidence * s * (x - mu/2), with s = -1 when mu >= 0 (so f > 0 on the real side), else +1.
    Sigmoid losses read f as a logit; the others as a score. The generator's gradient d L_G / d mu holds D
    fixed: mean over fakes of dl/df * df/dx (the fakes are x = mu + sigma * eps).

    Args:
        mu, sigma: mean and std of the fake distribution.
        confidence: slope of D's output; large values mean a confident discriminator.
        n: samples of each distribution (drawn with `seed`, the same for every slider position).
    Returns:
        {"x", "p_data", "p_g", "d_prob": grids for the plot, and loss name -> {"d_loss", "g_loss", "g_grad"}}.
    Used in: notebooks/01_gan_losses.ipynb
    """
    if sigma <= 0 or confidence < 0:
        raise ValueError(f"sigma must be > 0 and confidence >= 0; got sigma={sigma}, confidence={confidence}.")
    rng = np.random.default_rng(seed)
    real = rng.standard_normal(n)
    fake = mu + sigma * rng.standard_normal(n)
    s = -1.0 if mu >= 0 else 1.0
    slope = confidence * s  # df/dx

    def score(x):
        return slope * (np.asarray(x, np.float64) - mu / 2)

    lo, hi = min(-4.0, mu - 4 * sigma), max(4.0, mu + 4 * sigma)
    x = np.linspace(lo, hi, 400)
    out = {"x": x, "p_data": gaussian_pdf(x), "p_g": gaussian_pdf(x, mu, sigma),
           "d_prob": 0.5 * (1 + np.tanh(0.5 * score(x)))}
    f_real, f_fake = score(real), score(fake)
    for name, (d_name, g_name) in GAN_LOSS_PAIRS.items():
        out[name] = {
            "d_loss": float(getattr(ref, d_name)(f_real, f_fake)),
            "g_loss": float(getattr(ref, g_name)(f_fake)),
            "g_grad": float(np.mean(generator_loss_derivative(name, f_fake) * slope)),
        }
    return out


def plot_explorer(values, title=None):
    """Left: p_data, p_g and D(x); right: |d L_G / d mu| per loss (log scale) with the loss values."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    ax = axes[0]
    ax.plot(values["x"], values["p_data"], color="black", label="p_data = N(0, 1)")
    ax.plot(values["x"], values["p_g"], color="tab:red", label="p_g (fake)")
    ax.plot(values["x"], values["d_prob"], color="tab:blue", linestyle="--", label="D(x) = sigmoid(f(x))")
    ax.set_xlabel("x")
    ax.set_ylabel("density / probability")
    ax.set_title("real, fake and the discriminator", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[1]
    grads = [max(abs(values[name]["g_grad"]), 1e-16) for name in LOSS_NAMES]
    ax.barh(LOSS_NAMES, grads, color=[LOSS_COLORS[n] for n in LOSS_NAMES])
    ax.set_xscale("log")
    ax.set_xlim(1e-16, 1e3)
    for i, name in enumerate(LOSS_NAMES):
        ax.text(2e-16, i, f"L_G={values[name]['g_loss']:.3g}  L_D={values[name]['d_loss']:.3g}",
                va="center", fontsize=7, color="white" if grads[i] > 1e-12 else "black")
    ax.set_xlabel("|d L_G / d mu| (log scale): how hard G is pushed towards the data")
    ax.set_title("the generator's gradient under each loss", fontsize=10)
    fig.suptitle(title or "Loss explorer")
    fig.tight_layout()
    return fig


def loss_explorer(n=2000, seed=0, widgets=None):
    """An ipywidgets explorer: sliders for the fake's mean and std and D's confidence; redraws plot_explorer.

    Without a widget front end (papermill, nbval, the grader: see course_lib.viz.frontend) it draws the
    explorer once at the sliders' start values and returns a StaticView; `widgets` True or False forces either.
    Used in: notebooks/01_gan_losses.ipynb
    """
    from course_lib.viz.frontend import show_static, widgets_available

    if not widgets_available(widgets):
        values = explorer_values(3.0, 1.0, 2.0, n=n, seed=seed)
        return show_static(plot_explorer(values, title="fake ~ N(3.00, 1.00^2), D's confidence 2.00"),
                           values=values)
    import ipywidgets as widgets

    plt = _plt()

    def update(mu=3.0, sigma=1.0, confidence=2.0):
        values = explorer_values(mu, sigma, confidence, n=n, seed=seed)
        fig = plot_explorer(values, title=f"fake ~ N({mu:.2f}, {sigma:.2f}^2), D's confidence {confidence:.2f}")
        plt.show()
        return fig

    return widgets.interactive(
        update,
        mu=widgets.FloatSlider(value=3.0, min=-8.0, max=8.0, step=0.25, description="fake mean"),
        sigma=widgets.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.1, description="fake std"),
        confidence=widgets.FloatSlider(value=2.0, min=0.0, max=10.0, step=0.25, description="D confidence"),
    )


def plot_toy_samples(panels, means, title="Generated samples", limit=None):
    """Side-by-side scatter plots of 2-D samples with the data's mode means marked.

    Args:
        panels: [(panel title, samples [n, 2])].
        means: the mixture's means [K, 2].
        limit: half-width of each panel's square view (default: fitted to the means).
    """
    plt = _plt()
    means = np.asarray(means)
    limit = limit or 1.6 * float(np.abs(means).max())
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.9), squeeze=False)
    for ax, (name, samples) in zip(axes[0], panels):
        samples = np.asarray(samples)
        ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, color="tab:blue")
        ax.scatter(means[:, 0], means[:, 1], s=25, marker="x", color="black")
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("x1")
    axes[0][0].set_ylabel("x2")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_loss_histories(histories, title="Training losses"):
    """D and G losses against the step, one panel per run. histories: {name: {"step", "d_loss", "g_loss"}}."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(histories), figsize=(2.6 * len(histories), 2.6), squeeze=False)
    for ax, (name, h) in zip(axes[0], histories.items()):
        ax.plot(h["step"], h["d_loss"], label="D", color="tab:blue")
        ax.plot(h["step"], h["g_loss"], label="G", color="tab:red")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step")
    axes[0][0].set_ylabel("loss")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
