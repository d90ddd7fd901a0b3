"""Numpy oracle of every formula in the course: the ground truth both twins are tested against."""

from course_lib.reference import (  # noqa: F401  (the VAE ELBO, pPCA)
    dirac,  # noqa: F401  (Dirac-GAN dynamics)
    gan_theory,  # noqa: F401  (D*, game value, JS and W1)
    gradient_estimators,
    losses,  # noqa: F401  (GAN losses)
    ppca,
    vae,
)

__all__ = ["dirac", "gan_theory", "gradient_estimators", "losses", "ppca", "vae"]
