"""A picture of the GAN game: noise, generator, real data, discriminator and the two losses.

Framework-free (matplotlib only). Used in: notebooks/01_gan_losses.ipynb, where the game is introduced.
"""

from __future__ import annotations

__all__ = ["GAN_DIAGRAM_LABELS", "gan_diagram"]

# The text of each box, keyed by role; tests and the notebook refer to the roles, not the wording.
GAN_DIAGRAM_LABELS = {
    "noise": "noise\n$z \\sim \\mathcal{N}(0, I)$",
    "generator": "generator $G$",
    "fake": "generated image\n$G(z)$",
    "real": "real image\n$x \\sim p_{\\mathrm{data}}$",
    "discriminator": "discriminator $D$",
    "scores": "logits\n$D(x)$, $D(G(z))$",
    "d_loss": "D's loss (minimised by D)\n"
              "$-\\log \\sigma(D(x)) - \\log(1 - \\sigma(D(G(z))))$",
    "g_loss": "G's loss (minimised by G)\n$-\\log \\sigma(D(G(z)))$",
}

_BOXES = {  # role: (x centre, y centre, face colour), in axes coordinates [0, 1]
    "noise": (0.08, 0.72, "#f2f2f2"),
    "generator": (0.27, 0.72, "#fde0c5"),
    "fake": (0.46, 0.72, "#fde0c5"),
    "real": (0.46, 0.28, "#d7ecd9"),
    "discriminator": (0.65, 0.50, "#cfe2f3"),
    "scores": (0.83, 0.50, "#cfe2f3"),
    "d_loss": (0.72, 0.12, "#e8e0f0"),
    "g_loss": (0.72, 0.90, "#e8e0f0"),
}

_ARROWS = (  # (from, to, label, colour): data flows in black, gradient updates in colour
    ("noise", "generator", "", "black"),
    ("generator", "fake", "", "black"),
    ("fake", "discriminator", "", "black"),
    ("real", "discriminator", "", "black"),
    ("discriminator", "scores", "", "black"),
    ("scores", "d_loss", "", "black"),
    ("scores", "g_loss", "", "black"),
    ("d_loss", "discriminator", "updates D", "tab:blue"),
    ("g_loss", "generator", "updates G (its gradient flows back through D)", "tab:red"),
)


def gan_diagram(title="The GAN game: two players, two losses"):
    """Draw the GAN as boxes and arrows and return the matplotlib Figure.

    Black arrows carry data (noise to G, images to D, D's logits to the losses); coloured arrows are the two
    gradient updates: D's loss updates D only, G's loss updates G only, through D's fixed weights.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    fig, ax = plt.subplots(figsize=(11, 5))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    texts = {}
    for role, (x, y, colour) in _BOXES.items():
        texts[role] = ax.text(x, y, GAN_DIAGRAM_LABELS[role], ha="center", va="center", fontsize=9, gid=role,
                              bbox={"boxstyle": "round,pad=0.5", "facecolor": colour, "edgecolor": "0.3"})
    for start, end, label, colour in _ARROWS:
        curved = colour != "black"
        arrow = FancyArrowPatch(_BOXES[start][:2], _BOXES[end][:2], arrowstyle="-|>", mutation_scale=14,
                                color=colour, lw=1.2 if not curved else 1.6, linestyle="-" if not curved else "--",
                                connectionstyle="arc3,rad=0.25" if curved else "arc3,rad=0",
                                patchA=texts[start].get_bbox_patch(), patchB=texts[end].get_bbox_patch(),
                                gid=f"{start}->{end}")
        ax.add_patch(arrow)
        if label:
            (x0, y0), (x1, y1) = _BOXES[start][:2], _BOXES[end][:2]
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + (0.06 if y1 < y0 else -0.06), label, color=colour,
                    fontsize=8, ha="center", va="center", style="italic")
    ax.set_title(title)
    fig.tight_layout()
    return fig
