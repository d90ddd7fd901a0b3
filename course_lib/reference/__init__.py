"""course_lib.reference"""

from course_lib.reference import losses  # noqa: F401  (numpy oracle of the GAN losses, issue 3)
from course_lib.reference import gan_theory  # noqa: F401  (D*, game value, JS and W1, issue 3)
from course_lib.reference import gradient_estimators, ppca, vae  # noqa: F401  (issue 5: the VAE ELBO)
