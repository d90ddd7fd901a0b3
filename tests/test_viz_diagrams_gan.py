"""The GAN diagram draws headless, with a labelled box per role and the arrows between them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

from course_lib.viz import gan_diagram
from course_lib.viz.diagram_gan import GAN_DIAGRAM_LABELS


def test_gan_diagram_has_every_box_and_arrow():
    fig = gan_diagram()
    ax = fig.axes[0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert texts == GAN_DIAGRAM_LABELS
    joined = " ".join(t.get_text() for t in ax.texts)
    for words in ("generator $G$", "discriminator $D$", "noise", "real image", "D's loss", "G's loss",
                  "updates D", "updates G"):
        assert words in joined, words
    arrows = {p.get_gid() for p in ax.patches if isinstance(p, FancyArrowPatch)}
    for edge in ("noise->generator", "generator->fake", "fake->discriminator", "real->discriminator",
                 "d_loss->discriminator", "g_loss->generator"):
        assert edge in arrows, edge
    assert ax.get_title()
    fig.canvas.draw()  # the mathtext of every label renders
    plt.close(fig)
