"""numpy oracle of the ACGAN losses (Odena et al. 2017, arXiv 1610.09585), built from the auxiliary classifier
loss of course_lib/reference/losses.py. Same names and argument order as course_lib/{torch,tf}/acgan.py.

The real/fake head keeps its targets 1 (real) and 0 (fake): the class labels only ever go to the auxiliary
head's cross-entropy. Using class labels as the real/fake targets is a classic blog bug (SEED-ERRORS row A10).
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.reference.losses import (
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
    """L_D = adversarial(r, f) + aux_weight (CE(l_real, y_real) + CE(l_fake, y_fake)) (arXiv 1610.09585), oracle."""
    _check_adversarial(adversarial)
    pair = minimax_discriminator_loss if adversarial == "non_saturating" else hinge_discriminator_loss
    aux = auxiliary_classifier_loss(real_class_logits, real_labels) + auxiliary_classifier_loss(
        fake_class_logits, fake_labels)
    return float(np.float64(pair(real_scores, fake_scores)) + aux_weight * aux)


def acgan_generator_loss(fake_scores, fake_class_logits, fake_labels, aux_weight=1.0, adversarial="non_saturating"):
    """L_G = adversarial_G(f) + aux_weight CE(l_fake, y_fake) (arXiv 1610.09585), numpy oracle."""
    _check_adversarial(adversarial)
    generator = non_saturating_generator_loss if adversarial == "non_saturating" else hinge_generator_loss
    return float(np.float64(generator(fake_scores)) + aux_weight * auxiliary_classifier_loss(fake_class_logits,
                                                                                              fake_labels))
