"""The ACGAN losses (Odena et al. 2017, arXiv 1610.09585), built from losses.auxiliary_classifier_loss
(PyTorch twin of course_lib/tf/acgan.py). Oracle: course_lib/reference/acgan.py.

The real/fake head keeps its targets 1 (real) and 0 (fake): the class labels only ever go to the auxiliary
head's cross-entropy. Using class labels as the real/fake targets is a classic blog bug (SEED-ERRORS row A10).
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

from course_lib.torch.losses import (
    auxiliary_classifier_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)

__all__ = ["ADVERSARIAL", "acgan_discriminator_loss", "acgan_generator_loss"]

ADVERSARIAL = ("non_saturating", "hinge")


def _check_adversarial(adversarial):
    from course_lib.errors import InputError

    if adversarial not in ADVERSARIAL:
        raise InputError(f"adversarial must be one of {ADVERSARIAL}; got {adversarial!r}.")


def acgan_discriminator_loss(real_scores, fake_scores, real_class_logits, fake_class_logits, real_labels,
                             fake_labels, aux_weight=1.0, adversarial="non_saturating"):
    """ACGAN discriminator loss (Odena et al. 2017, arXiv 1610.09585):
    L_D = adversarial(r, f) + aux_weight * (CE(l_real, y_real) + CE(l_fake, y_fake)).

    The paper's D maximises log-likelihoods of the right source (real/fake) and of the right class, on real
    and generated images; minimising this loss is the same. The real/fake targets stay 1 and 0: the class
    labels only enter the auxiliary cross-entropy CE (`losses.auxiliary_classifier_loss`).

    Args:
        real_scores, fake_scores: real/fake head outputs, shape [N] or [N, 1] (logits for "non_saturating").
        real_class_logits, fake_class_logits: auxiliary head logits, shape [N, K].
        real_labels: the real images' classes; fake_labels: the classes G was asked for; integers [N] in [0, K).
        aux_weight: weight of the auxiliary terms.
        adversarial: "non_saturating" (the paper's binary cross-entropy) or "hinge".
    Returns:
        The mean loss, shape [].
    Used in: notebooks/06_controllable_generation.ipynb
    """
    _check_adversarial(adversarial)
    pair = minimax_discriminator_loss if adversarial == "non_saturating" else hinge_discriminator_loss
    aux = auxiliary_classifier_loss(real_class_logits, real_labels) + auxiliary_classifier_loss(
        fake_class_logits, fake_labels)
    return pair(real_scores, fake_scores) + aux_weight * aux


def acgan_generator_loss(fake_scores, fake_class_logits, fake_labels, aux_weight=1.0, adversarial="non_saturating"):
    """ACGAN generator loss (Odena et al. 2017, arXiv 1610.09585):
    L_G = adversarial_G(f) + aux_weight * CE(l_fake, y_fake).

    G wants D to call its images real *and* to classify them as the class it was asked for.

    Args:
        fake_scores: real/fake head outputs on generated images, shape [N] or [N, 1].
        fake_class_logits: auxiliary head logits on generated images, shape [N, K].
        fake_labels: the classes G was asked for, integers [N] in [0, K).
        aux_weight: weight of the auxiliary term.
        adversarial: "non_saturating" (-log sigmoid(f), the paper's) or "hinge" (-f).
    Returns:
        The mean loss, shape [].
    Used in: notebooks/06_controllable_generation.ipynb
    """
    _check_adversarial(adversarial)
    generator = non_saturating_generator_loss if adversarial == "non_saturating" else hinge_generator_loss
    return generator(fake_scores) + aux_weight * auxiliary_classifier_loss(fake_class_logits, fake_labels)
