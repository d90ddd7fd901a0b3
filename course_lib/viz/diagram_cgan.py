"""A picture of notebook 04's conditional GAN: G(z, y) with conditional BatchNorm, and the projection
discriminator D(x, y) = psi(phi(x)) + <embed(y), phi(x)>.

Framework-free (matplotlib only). Used in: notebooks/04_product_image_project.ipynb, where the model is introduced.
"""

from __future__ import annotations

from course_lib.viz.diagram_vae import draw_boxes_and_arrows

__all__ = ["CGAN_DIAGRAM_LABELS", "conditional_gan_diagram"]

CGAN_DIAGRAM_LABELS = {
    "z": "noise\n$z \\sim \\mathcal{N}(0, I)$",
    "y": "class $y$\n(product kind)",
    "g_body": "generator $G$: dense $\\to$ 7x7,\nupsample + conv to 28x28",
    "cbn": "conditional BatchNorm (3 layers)\n$\\mathrm{BN}(h) \\odot (1 + \\gamma_y) + \\beta_y$",
    "fake": "image $G(z, y)$",
    "real": "real image $x$\nof class $y$",
    "phi": "features $\\phi(x)$\n(3 spectrally normalised convs,\nsum over positions)",
    "psi": "realism term\n$\\psi(\\phi(x))$",
    "embed": "class embedding\n$\\mathrm{embed}(y)$",
    "projection": "projection term\n$\\langle \\mathrm{embed}(y), \\phi(x) \\rangle$",
    "score": "score $D(x, y) = \\psi(\\phi(x))$\n$+ \\langle \\mathrm{embed}(y), \\phi(x) \\rangle$\n(hinge loss)",
}

_BOXES = {
    "z": (0.07, 0.80, "#f2f2f2"),
    "y": (0.07, 0.30, "#fff2cc"),
    "g_body": (0.27, 0.80, "#fde0c5"),
    "cbn": (0.27, 0.52, "#fff2cc"),
    "fake": (0.46, 0.80, "#fde0c5"),
    "real": (0.46, 0.52, "#d7ecd9"),
    "phi": (0.62, 0.66, "#cfe2f3"),
    "psi": (0.80, 0.84, "#cfe2f3"),
    "embed": (0.62, 0.22, "#fff2cc"),
    "projection": (0.80, 0.42, "#fff2cc"),
    "score": (0.93, 0.63, "#e8e0f0"),
}

_ARROWS = (
    ("z", "g_body", "", "black"),
    ("y", "cbn", "per-class gain and bias", "tab:orange"),
    ("cbn", "g_body", "", "tab:orange"),
    ("g_body", "fake", "", "black"),
    ("fake", "phi", "", "black"),
    ("real", "phi", "", "black"),
    ("phi", "psi", "", "black"),
    ("phi", "projection", "", "black"),
    ("y", "embed", "", "tab:orange"),
    ("embed", "projection", "", "tab:orange"),
    ("psi", "score", "", "black"),
    ("projection", "score", "", "black"),
)


def conditional_gan_diagram(title="Notebook 04's conditional GAN: the class enters G through BatchNorm, "
                                  "and D through a projection"):
    """Draw G(z, y) with conditional BatchNorm and the projection discriminator; return the matplotlib Figure.

    The class never enters as an extra input channel or a concatenated vector: in G it sets the gain and bias
    of each BatchNorm, in D it picks the vector whose inner product with the image features is added to the
    unconditional realism score.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 5.2))
    draw_boxes_and_arrows(ax, CGAN_DIAGRAM_LABELS, _BOXES, _ARROWS, fontsize=8.5)
    ax.set_title(title)
    fig.tight_layout()
    return fig
