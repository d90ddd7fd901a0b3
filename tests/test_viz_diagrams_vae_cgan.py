"""The VAE and conditional-GAN diagrams draw, with the boxes and arrows the notebooks talk about."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from course_lib.viz import conditional_gan_diagram, vae_diagram  # noqa: E402
from course_lib.viz.diagram_cgan import CGAN_DIAGRAM_LABELS  # noqa: E402
from course_lib.viz.diagram_vae import VAE_DIAGRAM_LABELS  # noqa: E402


def _drawn(fig):
    fig.canvas.draw()  # renders every label's mathtext: a LaTeX typo fails here
    ax = fig.axes[0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    arrows = {p.get_gid() for p in ax.patches if isinstance(p, FancyArrowPatch)}
    return texts, arrows


@pytest.mark.parametrize("draw, labels, must_say, must_link", [
    (vae_diagram, VAE_DIAGRAM_LABELS,
     {"encoder": "q_\\phi", "z": "\\mu + \\sigma \\odot \\epsilon", "decoder": "p_\\theta",
      "recon": "\\log p_\\theta(x \\mid z)", "kl": "\\mathrm{KL}"},
     {"x->encoder", "params->z", "eps->z", "z->decoder", "recon->elbo", "kl->elbo", "params->kl"}),
    (conditional_gan_diagram, CGAN_DIAGRAM_LABELS,
     {"cbn": "\\mathrm{BN}(h)", "projection": "\\langle \\mathrm{embed}(y), \\phi(x) \\rangle",
      "psi": "\\psi(\\phi(x))"},
     {"y->cbn", "cbn->g_body", "y->embed", "embed->projection", "phi->projection", "phi->psi",
      "projection->score", "fake->phi", "real->phi"}),
])
def test_diagram_has_the_labelled_boxes_and_arrows(draw, labels, must_say, must_link):
    fig = draw()
    try:
        texts, arrows = _drawn(fig)
        assert set(texts) == set(labels)
        for role, fragment in must_say.items():
            assert fragment in texts[role], (role, texts[role])
        assert must_link <= arrows, must_link - arrows
        assert fig.axes[0].get_title()
    finally:
        plt.close(fig)


def test_the_conditional_gan_diagram_does_not_say_concatenate():
    fig = conditional_gan_diagram()
    try:
        texts, _ = _drawn(fig)
        assert not any("concat" in text.lower() for text in texts.values())
    finally:
        plt.close(fig)
