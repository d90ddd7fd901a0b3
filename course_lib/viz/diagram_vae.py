"""A picture of the VAE: encoder, reparameterisation z = mu + sigma * eps, decoder, and the two ELBO terms.

Framework-free (matplotlib only). Used in: notebooks/03_vae_elbo.ipynb, where the ELBO is introduced.
"""

from __future__ import annotations

__all__ = ["VAE_DIAGRAM_LABELS", "draw_boxes_and_arrows", "vae_diagram"]

# The text of each box, keyed by role; tests and the notebook refer to the roles, not the wording.
VAE_DIAGRAM_LABELS = {
    "x": "image $x$",
    "encoder": "encoder $q_\\phi(z \\mid x)$\n(a network)",
    "params": "$\\mu_\\phi(x)$, $\\log \\sigma^2_\\phi(x)$\n(parameters, not a code)",
    "eps": "noise\n$\\epsilon \\sim \\mathcal{N}(0, I)$",
    "z": "$z = \\mu + \\sigma \\odot \\epsilon$\n(reparameterisation)",
    "decoder": "decoder $p_\\theta(x \\mid z)$\n(a network)",
    "recon": "reconstruction term\n$\\mathbb{E}_{q_\\phi}[\\log p_\\theta(x \\mid z)]$",
    "kl": "KL term (closed form)\n$\\mathrm{KL}(q_\\phi(z \\mid x) \\,\\|\\, \\mathcal{N}(0, I))$",
    "elbo": "ELBO $\\mathcal{L}(x)$ = reconstruction $-$ KL\n(maximised over $\\phi$ and $\\theta$)",
}

_BOXES = {  # role: (x centre, y centre, face colour), in axes coordinates [0, 1]
    "x": (0.06, 0.62, "#f2f2f2"),
    "encoder": (0.22, 0.62, "#cfe2f3"),
    "params": (0.40, 0.62, "#cfe2f3"),
    "eps": (0.47, 0.25, "#f2f2f2"),
    "z": (0.58, 0.62, "#fff2cc"),
    "decoder": (0.76, 0.62, "#fde0c5"),
    "recon": (0.88, 0.90, "#e8e0f0"),
    "kl": (0.22, 0.90, "#e8e0f0"),
    "elbo": (0.56, 0.90, "#e8e0f0"),
}

_ARROWS = (  # (from, to, label, colour): data flows in black, the terms of the objective in purple
    ("x", "encoder", "", "black"),
    ("encoder", "params", "", "black"),
    ("params", "z", "", "black"),
    ("eps", "z", "no gradient needed here", "0.4"),
    ("z", "decoder", "", "black"),
    ("decoder", "recon", "", "tab:purple"),
    ("params", "kl", "", "tab:purple"),
    ("recon", "elbo", "", "tab:purple"),
    ("kl", "elbo", "", "tab:purple"),
)


def draw_boxes_and_arrows(ax, labels, boxes, arrows, fontsize=9):
    """Draw labelled boxes {role: (x, y, colour)} and arrows (start, end, label, colour) on `ax`.

    Each box's text artist and each arrow carry a gid ("role", "start->end") so tests can find them.
    Returns {role: text artist}.
    """
    from matplotlib.patches import FancyArrowPatch

    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    texts = {}
    for role, (x, y, colour) in boxes.items():
        texts[role] = ax.text(x, y, labels[role], ha="center", va="center", fontsize=fontsize, gid=role,
                              bbox=dict(boxstyle="round,pad=0.5", facecolor=colour, edgecolor="0.3"))
    for start, end, label, colour in arrows:
        arrow = FancyArrowPatch(boxes[start][:2], boxes[end][:2], arrowstyle="-|>", mutation_scale=14,
                                color=colour, lw=1.3, patchA=texts[start].get_bbox_patch(),
                                patchB=texts[end].get_bbox_patch(), gid=f"{start}->{end}")
        ax.add_patch(arrow)
        if label:
            (x0, y0), (x1, y1) = boxes[start][:2], boxes[end][:2]
            ax.text((x0 + x1) / 2 + 0.01, (y0 + y1) / 2, label, color=colour, fontsize=fontsize - 1,
                    ha="left", va="center", style="italic")
    return texts


def vae_diagram(title="The VAE: encode, sample by reparameterisation, decode; the ELBO's two terms"):
    """Draw the VAE as boxes and arrows and return the matplotlib Figure.

    The encoder outputs the parameters of q(z|x), not a code; z is a sample made differentiable by
    z = mu + sigma * eps with eps drawn outside the network; the reconstruction term scores the decoder on x,
    and the KL term compares q(z|x) with the prior in closed form.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4.8))
    draw_boxes_and_arrows(ax, VAE_DIAGRAM_LABELS, _BOXES, _ARROWS)
    ax.set_title(title)
    fig.tight_layout()
    return fig
