"""course_lib.reference"""

from course_lib.reference import gradient_estimators, ppca, vae  # noqa: F401  (issue 5: the VAE ELBO)
