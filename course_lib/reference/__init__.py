"""Numpy oracle of every formula in the course: the ground truth both twins are tested against."""

from course_lib.reference import dirac  # noqa: F401  (Dirac-GAN dynamics)
from course_lib.reference import gan_theory  # noqa: F401  (D*, game value, JS and W1)
from course_lib.reference import gradient_estimators, ppca, vae  # noqa: F401  (the VAE ELBO, pPCA)
from course_lib.reference import losses  # noqa: F401  (GAN losses)

__all__ = ["dirac", "gan_theory", "gradient_estimators", "losses", "ppca", "vae"]
