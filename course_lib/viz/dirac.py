"""Plots and the h/gamma explorer of the Dirac-GAN (numpy in, figures out; the update logic is a plain function).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.reference import dirac

__all__ = ["dirac_explorer", "explorer_values", "plot_explorer", "plot_trajectories"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_trajectories(paths, title="Dirac-GAN: gradient steps from (1, 1)", limit=None):
    """One panel per trajectory in the (theta, psi) plane, the equilibrium (0, 0) marked.

    Args:
        paths: {panel title: float [K, 2] rows (theta, psi)}.
        limit: half-width of each panel's view (default: fitted to the paths).
    Returns:
        The matplotlib figure.
    """
    plt = _plt()
    fig, axes = plt.subplots(1, len(paths), figsize=(2.7 * len(paths), 2.9), squeeze=False)
    for ax, (name, path) in zip(axes[0], paths.items()):
        path = np.asarray(path)
        lim = limit or 1.1 * float(np.abs(path).max())
        ax.plot(path[:, 0], path[:, 1], lw=0.8, color="tab:blue")
        ax.scatter(path[:1, 0], path[:1, 1], s=15, color="tab:green", label="start", zorder=3)
        ax.scatter(path[-1:, 0], path[-1:, 1], s=15, color="tab:red", label="end", zorder=3)
        ax.scatter([0], [0], marker="*", s=60, color="black", label="equilibrium", zorder=3)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("theta (generator)")
    axes[0][0].set_ylabel("psi (discriminator)")
    axes[0][0].legend(fontsize=6, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def explorer_values(h, gamma, method="simultaneous", noise_std=0.0, steps=400, start=(1.0, 1.0)):
    """What the explorer shows for step size h and R1 weight gamma: trajectory and eigenvalues.

    Args:
        h: step size; gamma: R1 weight; method: "simultaneous" or "alternating"; noise_std: instance noise;
        steps: number of steps; start: (theta0, psi0).
    Returns:
        dict: path [steps + 1, 2], analytic (complex [2]), measured (complex [2], from a trajectory started at
        1e-3 so that the linearisation holds), spectral_radius (max |analytic|), converges (spectral_radius < 1),
        final_radius (distance of the last iterate to (0, 0)).
    """
    path = dirac.trajectory(start[0], start[1], h, steps, method, r1_gamma=gamma, noise_std=noise_std)
    near = dirac.trajectory(1e-3, 1e-3, h, 60, method, r1_gamma=gamma, noise_std=noise_std)
    analytic = dirac.update_eigenvalues(h, method, r1_gamma=gamma, noise_std=noise_std)
    radius = float(np.max(np.abs(analytic)))
    return {"path": path, "analytic": analytic, "measured": dirac.measured_eigenvalues(near),
            "spectral_radius": radius, "converges": radius < 1.0,
            "final_radius": float(np.linalg.norm(path[-1]))}


def plot_explorer(values, title=None):
    """Trajectory (left) and eigenvalues against the unit circle (right) for `explorer_values`' output."""
    plt = _plt()
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    path = values["path"]
    lim = max(1.2, 1.1 * float(np.abs(path).max()))
    left.plot(path[:, 0], path[:, 1], lw=0.8)
    left.scatter([0], [0], marker="*", s=60, color="black")
    left.set_xlim(-lim, lim)
    left.set_ylim(-lim, lim)
    left.set_aspect("equal")
    left.set_xlabel("theta (generator)")
    left.set_ylabel("psi (discriminator)")
    left.set_title(f"final distance to (0,0): {values['final_radius']:.3g}", fontsize=9)
    angle = np.linspace(0, 2 * np.pi, 200)
    right.plot(np.cos(angle), np.sin(angle), color="gray", lw=0.8, label="|lambda| = 1")
    right.scatter(values["analytic"].real, values["analytic"].imag, marker="o", s=60, facecolors="none",
                  edgecolors="tab:blue", label="analytic")
    right.scatter(values["measured"].real, values["measured"].imag, marker="x", s=40, color="tab:red",
                  label="measured")
    right.set_aspect("equal")
    right.set_xlabel("Re lambda")
    right.set_ylabel("Im lambda")
    verdict = "converges" if values["converges"] else "does not converge"
    right.set_title(f"max |lambda| = {values['spectral_radius']:.4f}: {verdict}", fontsize=9)
    right.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def dirac_explorer(steps=400, widgets=None):
    """ipywidgets sliders for h, gamma, the update method and instance noise, redrawing plot_explorer.

    Without a widget front end (papermill, nbval, the grader: see course_lib.viz.frontend) it draws the
    explorer once at the sliders' start values and returns a StaticView; `widgets` True or False forces either.
    """
    from course_lib.viz.frontend import show_static, widgets_available

    if not widgets_available(widgets):
        values = explorer_values(0.2, 0.0, "simultaneous", 0.0, steps)
        return show_static(plot_explorer(values), values=values)
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    def update(h=0.2, gamma=0.0, method="simultaneous", noise_std=0.0):
        fig = plot_explorer(explorer_values(h, gamma, method, noise_std, steps))
        plt.show()
        return fig

    return widgets.interactive(
        update,
        h=widgets.FloatSlider(value=0.2, min=0.01, max=1.5, step=0.01, description="h"),
        gamma=widgets.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.01, description="gamma (R1)"),
        method=widgets.Dropdown(options=["simultaneous", "alternating"], value="simultaneous"),
        noise_std=widgets.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="noise std"),
    )
